"""README.rst is the user's manual: its examples run, its reference matches the code.

* Every Python block marked ``.. test-example: NAME`` runs for real, in a fresh directory,
  against the embedded mock service (a subprocess per example, as a user would run it):
  TestCase examples with ``python -m unittest``, ``(script)`` ones with ``python``. A
  passing example must write a pact file holding every interaction it declares; a
  ``(fails)`` example must FAIL (not ERROR) with the text of its ``.. test-output: NAME``
  block and write nothing.
* The settings table lists exactly the settings of ``_settings_table.DEFAULTS``, each with
  its environment variable; every ``PACT_UNITTEST_*`` variable the code reads is in the
  README and every one the README names is read by the code (or by the test tooling).
* The mock service and ``publish`` flags in the README are exactly those of their
  ``--help``; the admin API table lists exactly the service's admin routes.
* The fresh-machine commands at the top are what ``.ci/run`` extracts, and the README is
  valid reStructuredText without warnings (skipped when docutils is not installed).
"""
from __future__ import annotations

import ast
import io
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Dict, List, NamedTuple, Optional, Set

import pytest

REPO = Path(__file__).resolve().parent.parent
README = REPO / "README.rst"
TEXT = README.read_text(encoding="utf-8")
LINES = TEXT.splitlines()


# ---------------------------------------------------------------------- README parsing


def _indented_block(start: int) -> List[str]:
    """The indented lines after ``LINES[start]`` (a directive or ``::``), dedented."""
    i = start + 1
    while i < len(LINES) and (not LINES[i].strip() or LINES[i].lstrip().startswith(":")):
        if LINES[i].lstrip().startswith(":"):  # directive options
            i += 1
            continue
        i += 1
    body = []
    while i < len(LINES) and (not LINES[i].strip() or LINES[i].startswith(" ")):
        body.append(LINES[i])
        i += 1
    return textwrap.dedent("\n".join(body)).strip("\n").splitlines()


def _next_line(start: int, predicate) -> int:
    for i in range(start + 1, len(LINES)):
        if predicate(LINES[i]):
            return i
    raise AssertionError(f"README.rst: nothing expected found after line {start + 1}")


class Example(NamedTuple):
    name: str
    kind: str  # "test", "fails", "script" or "verifies"
    code: str
    line: int
    #: "verifies" only: the example whose pact files this one verifies (run first).
    after: Optional[str] = None


def _examples() -> List[Example]:
    found = []
    for i, line in enumerate(LINES):
        match = re.match(r"^\.\. test-example: ([\w-]+)(?: \((fails|script|verifies) ?([\w-]*)\))?\s*$",
                         line)
        if match:
            j = _next_line(i, lambda text: text.strip() != "")
            assert LINES[j].strip() == ".. code-block:: python", (
                f"README.rst line {i + 1}: '.. test-example:' must be followed by a "
                f"'.. code-block:: python' block, found {LINES[j]!r}"
            )
            code = "\n".join(_indented_block(j)) + "\n"
            found.append(Example(match.group(1), match.group(2) or "test", code, j + 1,
                                 match.group(3) or None))
    return found


EXAMPLES = _examples()


def _expected_output(name: str) -> List[str]:
    for i, line in enumerate(LINES):
        if line.strip() == f".. test-output: {name}":
            j = _next_line(i, lambda text: text.strip() != "")
            assert LINES[j].strip() == "::", f"'.. test-output: {name}' needs a '::' block"
            return [text for text in _indented_block(j) if text.strip()]
    raise AssertionError(f"README.rst has no '.. test-output: {name}' block")


def _section(title: str) -> str:
    """The text of the README section with this title (up to the next title of its level)."""
    for i, line in enumerate(LINES[:-1]):
        underline = LINES[i + 1]
        if line.strip() == title and underline and set(underline) <= set("=-~") \
                and len(underline) >= len(title):
            char = underline[0]
            end = len(LINES)
            for j in range(i + 2, len(LINES) - 1):
                nxt = LINES[j + 1]
                if LINES[j].strip() and nxt and set(nxt) == {char} and len(nxt) >= len(LINES[j].strip()):
                    end = j
                    break
            return "\n".join(LINES[i:end])
    raise AssertionError(f"README.rst has no section {title!r}")


def _list_table_rows(caption: str) -> List[List[str]]:
    """Rows of ``.. list-table:: caption`` (each a list of cell texts), header included."""
    start = LINES.index(f".. list-table:: {caption}")
    rows: List[List[str]] = []
    for line in LINES[start + 1:]:
        if line and not line.startswith(" "):
            break
        stripped = line.strip()
        if stripped.startswith("* - "):
            rows.append([stripped[4:]])
        elif stripped.startswith("- ") and rows:
            rows[-1].append(stripped[2:])
        elif stripped and rows and not stripped.startswith(":"):
            rows[-1][-1] += " " + stripped
    return rows


def _literals(text: str) -> List[str]:
    return re.findall(r"``([^`]+)``", text)


# ---------------------------------------------------------------------- running examples


def _clean_env() -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PACT_UNITTEST_", "PACT_BROKER_", "PYTEST_XDIST"))}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    env["PACT_DO_NOT_TRACK"] = "true"
    return env


def _pact_files(root: Path) -> Dict[Path, dict]:
    return {path: json.loads(path.read_text(encoding="utf-8"))
            for path in root.rglob("*.json")}


def _declared_descriptions(code: str) -> Set[str]:
    """Every interaction description an example declares (decorator, fluent or dict)."""
    found = set(re.findall(r"upon_receiving(?:=|\()\s*\"([^\"]+)\"", code))
    found |= set(re.findall(r"\"description\":\s*\"([^\"]+)\"", code))
    return found


def _run(example: Example, tmp_path: Path) -> subprocess.CompletedProcess:
    module = "test_readme_" + example.name.replace("-", "_")
    (tmp_path / f"{module}.py").write_text(example.code, encoding="utf-8")
    if example.kind in ("script", "verifies"):
        argv = [sys.executable, f"{module}.py"]
    else:
        argv = [sys.executable, "-m", "unittest", "-v", module]
    return subprocess.run(argv, cwd=str(tmp_path), env=_clean_env(), capture_output=True,
                          text=True, timeout=120)


def test_readme_has_runnable_examples():
    kinds = {example.kind for example in EXAMPLES}
    assert {"test", "fails", "script"} <= kinds, kinds
    names = [example.name for example in EXAMPLES]
    assert len(names) == len(set(names)), f"duplicate example names: {names}"


def test_every_testcase_block_is_run():
    """A Python block that defines a PactTestCase/PactMixin class must be a test-example."""
    marked = {example.line for example in EXAMPLES}
    for i, line in enumerate(LINES):
        if line.strip() == ".. code-block:: python":
            code = "\n".join(_indented_block(i))
            if re.search(r"class \w+\((PactMixin|PactTestCase)", code):
                assert i + 1 in marked, (
                    f"README.rst line {i + 1}: a TestCase example without "
                    "'.. test-example: NAME' before it is never run"
                )


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.name for e in EXAMPLES])
def test_readme_example_runs(example: Example, tmp_path: Path):
    if example.kind == "verifies":  # the consumer example writes the pacts it verifies
        (first,) = [e for e in EXAMPLES if e.name == example.after]
        assert _run(first, tmp_path).returncode == 0
    done = _run(example, tmp_path)
    output = done.stdout + done.stderr
    where = f"README.rst example {example.name!r} (line {example.line})"
    if example.kind == "verifies":
        assert done.returncode == 0, f"{where} failed:\n{output}"
        assert "verification succeeded" in done.stdout, output
        for line in _expected_output(example.name):
            assert line.strip() in output, f"{where}: README shows {line.strip()!r}:\n{output}"
        return
    pacts = _pact_files(tmp_path)
    if example.kind == "fails":
        assert done.returncode != 0, f"{where} should fail:\n{output}"
        assert "FAILED (failures=1)" in output, f"{where}: expected one FAIL:\n{output}"
        for line in _expected_output(example.name):
            assert line.strip() in output, f"{where}: README shows {line.strip()!r}:\n{output}"
        assert not pacts, f"{where}: a failed test must not write a pact file"
        return
    assert done.returncode == 0, f"{where} failed:\n{output}"
    if example.kind == "test":
        assert re.search(r"^OK\b", done.stderr, re.M), output
    written = {item["description"] for doc in pacts.values() for item in doc["interactions"]}
    declared = _declared_descriptions(example.code)
    assert declared, f"{where} declares no interaction the test can find"
    assert declared <= written, f"{where}: {declared - written} not in the pact files {list(pacts)}"
    spec = re.search(r"specification_version = \"([\d.]+)\"", example.code)
    if spec:
        from pact_unittest.pact_file.layout import metadata_version

        for doc in pacts.values():
            assert doc["metadata"]["pactSpecification"]["version"] == metadata_version(spec.group(1))


# ---------------------------------------------------------------------- settings


def test_settings_table_matches_the_code():
    from pact_unittest import PactMixin
    from pact_unittest.model import settings
    from pact_unittest.testcase.settings import DEFAULTS

    rows = _list_table_rows("PactTestCase settings")
    assert rows[0][:2] == ["class attribute", "environment variable"], rows[0]
    table: Dict[str, str] = {}
    for row in rows[1:]:
        names = _literals(row[0])
        assert len(names) == 1, f"one class attribute per row: {row}"
        assert _literals(row[1]) == [settings.env_name(names[0])], row
        table[names[0]] = row[2]
    assert set(table) == set(DEFAULTS), (
        f"in the code, not in README: {sorted(set(DEFAULTS) - set(table))}; "
        f"in README, not in the code: {sorted(set(table) - set(DEFAULTS))}"
    )
    assert list(table) == list(DEFAULTS), "keep the README table in the code's order"
    for name, default in DEFAULTS.items():
        assert name in vars(PactMixin), f"PactMixin has no class attribute {name}"
        if default is None:
            continue
        shown = repr(default) if not isinstance(default, str) else f'"{default}"'
        assert f"``{shown}``" in table[name], f"README gives no default {shown} for {name}"


def _code_env_vars() -> Set[str]:
    """Every PACT_UNITTEST_* variable the library reads (found in its source)."""
    from pact_unittest.model import settings
    from pact_unittest.testcase.settings import DEFAULTS

    found = {settings.env_name(name) for name in DEFAULTS}
    for path in (REPO / "pact_unittest").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                    and re.fullmatch(r"PACT_UNITTEST_[A-Z_]+", node.value):
                found.add(node.value)
            elif isinstance(node, ast.Call) and node.args:
                func = node.func
                name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
                first = node.args[0]
                if name in ("resolve", "env_name") and isinstance(first, ast.Constant) \
                        and isinstance(first.value, str):
                    found.add(settings.env_name(first.value))
            elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add) \
                    and isinstance(node.left, ast.Name) and node.left.id == "ENV_PREFIX" \
                    and isinstance(node.right, ast.Constant):
                found.add(settings.ENV_PREFIX + node.right.value)
    return found


def _tooling_env_vars() -> Set[str]:
    """PACT_UNITTEST_* variables read by the test suite and CI, not by the library."""
    found: Set[str] = set()
    for path in list((REPO / "tests").rglob("*.py")) + [REPO / ".ci" / "run"]:
        if path.exists():
            found |= set(re.findall(r"PACT_UNITTEST_[A-Z][A-Z_]*", path.read_text(encoding="utf-8")))
    return found


def test_environment_variables_match_the_code():
    in_readme = set(re.findall(r"PACT_UNITTEST_[A-Z][A-Z_]*", TEXT))
    in_code = _code_env_vars()
    assert "PACT_UNITTEST_RUN_ID" in in_code and "PACT_UNITTEST_MOCK_SERVICE" in in_code
    assert in_code <= in_readme, f"read by the code, missing in README: {sorted(in_code - in_readme)}"
    unknown = in_readme - in_code - _tooling_env_vars()
    assert not unknown, f"named in README, read by nothing: {sorted(unknown)}"
    for name in ("PACT_BROKER_BASE_URL", "PACT_BROKER_USERNAME", "PACT_BROKER_PASSWORD",
                 "PACT_BROKER_TOKEN"):
        assert f"``{name}``" in _section("Publishing to a Pact Broker"), name


# ---------------------------------------------------------------------- command lines


def _help_flags(argv: List[str]) -> Set[str]:
    done = subprocess.run([sys.executable, *argv, "--help"], cwd=str(REPO), env=_clean_env(),
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    flags = set()
    for line in done.stdout.splitlines():
        if re.match(r"^  -", line):
            spec = re.split(r"\s{2,}", line.strip())[0]
            for part in spec.split(", "):
                flags.add(part.split()[0])
    assert "--help" in flags, done.stdout
    return flags


def _flags_in(text: str) -> Set[str]:
    flags = set()
    for literal in _literals(text):
        if re.fullmatch(r"--?[a-z][\w-]*", literal):
            flags.add(literal)
        else:  # "--tag``/``-t" style pairs are separate literals; "--x FOO" keeps the flag
            head = literal.split()[0] if literal.split() else ""
            if re.fullmatch(r"--?[a-z][\w-]*", head):
                flags.add(head)
    return flags


def test_mock_service_flags_match_its_help():
    rows = _list_table_rows("Mock service flags")
    in_readme = set()
    for row in rows[1:]:
        in_readme |= _flags_in(row[0])
    in_help = _help_flags(["-m", "pact_unittest.mock_service", "service"])
    assert in_readme == in_help, (
        f"in --help, not in README: {sorted(in_help - in_readme)}; "
        f"in README, not in --help: {sorted(in_readme - in_help)}"
    )


def test_publish_flags_match_its_help():
    section = _section("Publishing to a Pact Broker")
    cli = section[section.index("From the command line"):]
    in_readme = _flags_in(cli)
    in_help = _help_flags(["-m", "pact_unittest", "publish"])
    assert in_readme == in_help, (
        f"in --help, not in README: {sorted(in_help - in_readme)}; "
        f"in README, not in --help: {sorted(in_readme - in_help)}"
    )


def test_admin_api_table_matches_the_routes():
    from pact_unittest.mock_service._admin import _ROUTES

    section = _section("Admin API")
    in_readme = set()
    for literal in _literals(section):
        match = re.fullmatch(r"(GET|PUT|POST|DELETE) (/[\w/]*)(\?.*)?", literal)
        if match:
            in_readme.add((match.group(1), match.group(2).rstrip("/")))
    assert in_readme == set(_ROUTES), (sorted(in_readme), sorted(_ROUTES))


def test_fresh_machine_commands_are_what_ci_runs():
    """.ci/run's awk extracts README's test command; the sample command runs the samples."""
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    awk = re.search(r"awk '([^']+)' README\.rst", ci)
    assert awk, "the README extraction in .ci/run changed: update this test"
    done = subprocess.run(["awk", awk.group(1), "README.rst"], cwd=str(REPO),
                          capture_output=True, text=True, timeout=30)
    command = done.stdout.strip()
    assert command.startswith("python3 -m venv .venv && ") and command.endswith("-m pytest"), command
    sample = LINES[_next_line(LINES.index(".. sample-command"),
                              lambda text: text.startswith("    "))].strip()
    assert sample.endswith(".venv/bin/python -m samples"), sample
    assert (REPO / "samples" / "__main__.py").is_file()
    # The samples include a Django project: the sample command must install Django.
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(REPO / "setup.cfg")
    extras = cfg["options.extras_require"] if cfg.has_section("options.extras_require") else {}
    chosen = re.search(r"pip install -e '?\.\[([\w,-]+)\]'?", sample)
    assert chosen, f"the sample command installs no extra with Django: {sample}"
    wanted = " ".join(extras.get(name, "") for name in chosen.group(1).split(","))
    assert "django" in wanted.lower(), (chosen.group(1), wanted)
    # The manual starts after the two commands: they stay the first thing a reader sees.
    assert TEXT.index(".. test-command") < TEXT.index("Quick start")


def test_links_and_named_files_exist():
    for target in re.findall(r"<([\w./-]+\.(?:rst|py))>`_", TEXT):
        assert (REPO / target).is_file(), target
    for script in re.findall(r"``(bench/[\w.]+\.py)``", TEXT):
        assert (REPO / script).is_file(), script


# ---------------------------------------------------------------------- reStructuredText


def test_readme_is_valid_restructuredtext():
    docutils_core = pytest.importorskip("docutils.core", reason="docutils is not installed")
    warnings = io.StringIO()
    docutils_core.publish_doctree(
        TEXT, source_path=str(README),
        settings_overrides={"report_level": 2, "halt_level": 5, "warning_stream": warnings},
    )
    assert warnings.getvalue() == "", warnings.getvalue()


@pytest.mark.parametrize("name", sorted(str(p.relative_to(REPO)) for p in (REPO / "docs").glob("*.rst"))
                         + ["CHANGELOG.rst"])
def test_other_documents_are_valid_restructuredtext(name: str):
    docutils_core = pytest.importorskip("docutils.core", reason="docutils is not installed")
    warnings = io.StringIO()
    docutils_core.publish_doctree(
        (REPO / name).read_text(encoding="utf-8"), source_path=name,
        settings_overrides={"report_level": 2, "halt_level": 5, "warning_stream": warnings},
    )
    assert warnings.getvalue() == "", warnings.getvalue()


def test_testcase_doc_lists_every_setting():
    from pact_unittest.model import settings
    from pact_unittest.testcase.settings import DEFAULTS

    text = (REPO / "docs" / "testcase.rst").read_text(encoding="utf-8")
    for name in DEFAULTS:
        assert re.search(rf"^``{name}``\s+``{settings.env_name(name)}``", text, re.M), name
    named = set(re.findall(r"PACT_UNITTEST_[A-Z][A-Z_]*", text))
    unknown = named - _code_env_vars() - _tooling_env_vars()
    assert not unknown, f"docs/testcase.rst names variables nothing reads: {sorted(unknown)}"


def test_readme_renders_on_pypi():
    renderer = pytest.importorskip("readme_renderer.rst",
                                   reason="readme_renderer (PyPI's renderer) is not installed")
    stream = io.StringIO()
    html: Optional[str] = renderer.render(TEXT, stream=stream)
    assert html is not None, stream.getvalue()
    assert "Quick start" in html


# ---------------------------------------------------------------------- documented behaviour

_TWO_TESTS = '''
import requests
from pact_unittest import PactTestCase, interaction


class TwoContract(PactTestCase):
    consumer = "DocWeb"
    provider = "DocService"

    @interaction(upon_receiving="a", with_request={"method": "GET", "path": "/a"},
                 will_respond_with={"status": 200})
    def test_a(self):
        requests.get(self.mock_service_uri + "/a")

    @interaction(upon_receiving="b", with_request={"method": "GET", "path": "/b"},
                 will_respond_with={"status": 200})
    def test_b(self):
        requests.get(self.mock_service_uri + "/b")
'''


def test_partial_runs_do_what_the_readme_says(tmp_path: Path):
    """README "Partial runs": overwrite replaces with what the run verified, merge only
    adds, none writes nothing."""
    section = _section("Partial runs")
    assert "**replaces**" in section and "merge" in section and "none" in section
    (tmp_path / "test_two.py").write_text(_TWO_TESTS, encoding="utf-8")
    pact = tmp_path / "pacts" / "docweb-docservice.json"

    def run(*tests: str, mode: Optional[str] = None) -> Set[str]:
        env = _clean_env()
        if mode:
            env["PACT_UNITTEST_FILE_WRITE_MODE"] = mode
        done = subprocess.run([sys.executable, "-m", "unittest", *tests], cwd=str(tmp_path),
                              env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        return {item["description"] for item in json.loads(pact.read_text())["interactions"]}

    assert run("test_two") == {"a", "b"}                          # the whole suite
    assert run("test_two.TwoContract.test_a") == {"a"}            # a partial run replaces
    assert run("test_two.TwoContract.test_b", mode="merge") == {"a", "b"}  # merge adds
    assert run("test_two.TwoContract.test_a", mode="none") == {"a", "b"}   # none: untouched
