"""Verdict parity: our verifier, the Ruby ``pact-provider-verifier`` and the Rust ``pact
verifier`` judge the same pacts against the same providers, interaction by interaction.

The corpus (:mod:`parity_corpus`): five interactions written as spec 2, 3 and 4 pacts by us
(our mock service, in a temp dir) and by the Rust core (``tests/fixtures/rust_pacts/``,
written once by the script there) -- six pacts, 30 interactions -- against eight real HTTP
providers: one that honours the contract with other values than the examples, and seven
that break it one way each (a wrong type, a missing field, an extra array item under a max
rule, a missing one under a min rule, a wrong status, a missing header, a state setup that
answers 500 -- and one that answers 400, see :data:`NOT_RUN_BY`).

Each verifier runs once per provider with every pact (Ruby with the spec 2 and 3 ones: it
reads v4 files as v3 and fails everything in them). Where the two official verifiers agree,
ours must agree too; where only one of them ran, ours must agree with that one. Every
cell where Ruby and Rust disagree is in :data:`EXPECTED_DISAGREEMENTS` with its reason, and
every entry there must still happen, so the list stays the truth. The whole table is
printed (``pytest -s``) for the record.
"""
from __future__ import annotations

import fnmatch
import json
import pathlib
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, Iterator, List, NamedTuple, Optional, Sequence, Tuple

import pytest

import parity_corpus as corpus
from reference import kill_tree, reference_env, require_ruby_verifier, require_rust

pytestmark = pytest.mark.reference

FIXTURES = pathlib.Path(__file__).resolve().parent / "fixtures" / "rust_pacts"
SPECS = ("2.0.0", "3.0.0", "4.0.0")
PASSED, FAILED, NOT_RUN = "passed", "failed", "-"
TOOLS = ("ours", "ruby", "rust")


class Disagreement(NamedTuple):
    """Cells (pact, interaction, provider: shell patterns) where ``odd_one`` differs."""

    pacts: str
    description: str
    providers: str
    odd_one: str   # "ruby" or "rust": the official verifier that says otherwise
    reason: str


#: Providers a verifier is not run against, and why.
NOT_RUN_BY: Dict[str, Tuple[str, str]] = {
    "state_500": ("rust", "the Rust verifier retries a state change answered 5xx with "
                          "exponential back-off (1 s, 2 s, 4 s ...: over 100 s per state, "
                          "--retries does not shorten it); state_400 shows its verdict"),
}

#: Every cell where the two official verifiers disagree, and why. Ours sides with the
#: verifier that applies the pact's rules as the spec says (in all of these: Rust).
EXPECTED_DISAGREEMENTS: List[Disagreement] = [
    Disagreement("*-v[23]", "a user's tags", "*", "ruby",
                 "Ruby has no max rule (it warns 'Ignoring unsupported matching rules "
                 "{max: 3}') and compares the array with the 1-item example item by item, so "
                 "an honest 2 tags fail; Rust and ours apply type + max 3"),
    Disagreement("rust-v2", "create an item", "*", "ruby",
                 "the Rust core writes a v2 header rule at $.header.Location where the v2 spec "
                 "(and Ruby) say $.headers.Location: Ruby ignores it and compares /items/99 "
                 "to /items/7 by equality; Rust and ours read both"),
    Disagreement("*-v3", "create an item", "*", "ruby",
                 "Ruby does not read v3 header rules (matchingRules.header): the Location "
                 "regex is ignored and /items/99 is compared to /items/7 by equality"),
]


# ------------------------------------------------------------------------------- the pacts
def _write_ours(spec: str, pact_dir: pathlib.Path) -> pathlib.Path:
    from pact_unittest.mock_service import MockService

    with MockService(f"ours-v{spec[0]}", corpus.PROVIDER, pact_dir=str(pact_dir),
                     specification_version=spec) as service:
        service.set_interactions(corpus.interactions(spec))
        corpus.replay(service.uri)
        assert service.verification().ok, service.verification().describe()
        path = service.write_pact()
    assert path is not None
    return path


@pytest.fixture(scope="module")
def pacts(tmp_path_factory: pytest.TempPathFactory) -> Dict[str, pathlib.Path]:
    """Pact label (= consumer name: ``ours-v2`` ... ``rust-v4``) -> file."""
    require_rust(), require_ruby_verifier()  # before any work: a missing tool skips (or fails in CI)
    pact_dir = tmp_path_factory.mktemp("parity-pacts")
    found = {f"ours-v{spec[0]}": _write_ours(spec, pact_dir) for spec in SPECS}
    found.update({f"rust-v{spec[0]}": FIXTURES / f"rust-v{spec[0]}-parityprovider.json"
                  for spec in SPECS})
    for label, path in found.items():
        document = json.loads(path.read_text(encoding="utf-8"))
        assert document["consumer"]["name"] == label, path
        assert sorted(i["description"] for i in document["interactions"]) == sorted(corpus.DESCRIPTIONS)
    return found


def _ruby_reads(label: str) -> bool:
    return not label.endswith("-v4")


# ------------------------------------------------------------------------------- verifiers
Verdicts = Dict[Tuple[str, str], str]  # (pact label, description) -> passed/failed


def _descriptions(path: pathlib.Path) -> List[str]:
    return [i["description"] for i in json.loads(path.read_text(encoding="utf-8"))["interactions"]]


def _run_ours(app: corpus.ProviderApp, paths: Sequence[pathlib.Path]) -> Verdicts:
    from pact_unittest.verifier import ProviderVerifier, StateChangeUrl

    verifier = ProviderVerifier(corpus.PROVIDER, app.base_url,
                                states=StateChangeUrl(app.states_url, style="ruby"))
    try:
        report = verifier.verify([str(p) for p in paths])
    finally:
        verifier.close()
    assert not report.errors, report.errors
    return {(r.consumer, r.description): PASSED if r.ok else FAILED for r in report.results}


def _start_rust(app: corpus.ProviderApp, paths: Sequence[pathlib.Path],
                report: pathlib.Path) -> subprocess.Popen:
    cmd = [str(require_rust()), "verifier", "--hostname", app.host, "--port", str(app.port),
           "--provider-name", corpus.PROVIDER, "--state-change-url", app.states_url,
           "--json", str(report), "--no-colour"]
    for path in paths:
        cmd += ["--file", str(path)]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env=reference_env())


def _rust_verdicts(report: pathlib.Path, paths: Sequence[pathlib.Path]) -> Verdicts:
    """The Rust JSON report's ``interactionResults`` in pact order, pacts in the order
    their "Verifying a pact between <consumer> and" headings appear in ``output`` (the
    failure summary's "1) Verifying ..." lines are not headings)."""
    data = json.loads(report.read_text(encoding="utf-8"))  # ("errors": the failures)
    by_consumer = {json.loads(p.read_text(encoding="utf-8"))["consumer"]["name"]: p for p in paths}
    order = [line.split("Verifying a pact between ", 1)[1].split(" and ", 1)[0]
             for line in data["output"] if line.strip().startswith("Verifying a pact between ")]
    assert sorted(order) == sorted(by_consumer), order
    results = iter(data["interactionResults"])
    verdicts: Verdicts = {}
    for consumer in order:
        for description in _descriptions(by_consumer[consumer]):
            item = next(results)
            assert item["description"] == description, (consumer, item)
            verdicts[(consumer, description)] = PASSED if item["result"] == "OK" else FAILED
    assert next(results, None) is None
    return verdicts


def _start_ruby(app: corpus.ProviderApp, paths: Sequence[pathlib.Path],
                log_dir: str) -> subprocess.Popen:
    cmd = [str(require_ruby_verifier()), *[str(p) for p in paths],
           "--provider-base-url", app.base_url, "--provider-states-setup-url", app.states_url,
           "--format", "json", "--log-dir", log_dir, "--log-level", "warn"]
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=reference_env(), cwd=log_dir)


def _json_documents(text: str) -> Iterator[dict]:
    """The RSpec JSON documents Ruby prints, one per pact, one after another."""
    decoder, pos = json.JSONDecoder(), 0
    while True:
        start = text.find("{", pos)
        if start < 0:
            return
        document, pos = decoder.raw_decode(text, start)
        yield document


def _ruby_verdicts(stdout: str, paths: Sequence[pathlib.Path]) -> Verdicts:
    """An interaction passed when every RSpec example of it (status, each header, body)
    passed; examples name their pact (``pact_url``) and ``interaction_index``."""
    labels = {str(p): json.loads(p.read_text(encoding="utf-8"))["consumer"]["name"] for p in paths}
    verdicts: Verdicts = {}
    for document in _json_documents(stdout):
        for example in document["examples"]:
            label = labels[example["pact_url"]]
            description = _descriptions(pathlib.Path(example["pact_url"]))[example["interaction_index"]]
            ok = example["status"] == "passed"
            key = (label, description)
            verdicts[key] = PASSED if ok and verdicts.get(key, PASSED) == PASSED else FAILED
    for path in paths:  # a pact Ruby said nothing about failed as a whole
        for description in _descriptions(path):
            verdicts.setdefault((labels[str(path)], description), FAILED)
    return verdicts


class Row(NamedTuple):
    pact: str
    description: str
    provider: str
    ours: str
    ruby: str
    rust: str

    def verdict(self, tool: str) -> str:
        return getattr(self, tool)


def _verify_against(how: str, paths: Sequence[pathlib.Path],
                    ruby_paths: Sequence[pathlib.Path], tmp: pathlib.Path) -> List[Row]:
    """The three verdicts on every interaction for provider variant ``how``: one provider
    app per verifier (their state changes must not meet), one process per official tool."""
    skip = NOT_RUN_BY.get(how, ("", ""))[0]
    apps = {tool: corpus.provider(how) for tool in TOOLS if tool != skip}
    report = tmp / f"rust-{how}.json"
    (tmp / how).mkdir()
    rust_verdicts: Verdicts = {}
    ruby_verdicts: Verdicts = {}
    rust: Optional[subprocess.Popen] = None
    ruby: Optional[subprocess.Popen] = None
    try:
        rust = _start_rust(apps["rust"], paths, report) if "rust" in apps else None
        ruby = _start_ruby(apps["ruby"], ruby_paths, str(tmp / how)) if "ruby" in apps else None
        ours = _run_ours(apps["ours"], paths)
        if rust is not None:
            rust_out = rust.communicate(timeout=60)[0].decode("utf-8", "replace")
            assert report.is_file(), rust_out
            rust_verdicts = _rust_verdicts(report, paths)
        if ruby is not None:
            ruby_out, ruby_err = (b.decode("utf-8", "replace") for b in ruby.communicate(timeout=60))
            ruby_verdicts = _ruby_verdicts(ruby_out, ruby_paths)
            assert ruby_verdicts, ruby_err
    finally:
        for process in (rust, ruby):
            if process is not None and process.poll() is None:
                kill_tree(process.pid)
        for app in apps.values():
            app.stop()
    return [Row(key[0], key[1], how, ours[key], ruby_verdicts.get(key, NOT_RUN),
                rust_verdicts.get(key, NOT_RUN)) for key in sorted(ours)]


@pytest.fixture(scope="module")
def table(pacts: Dict[str, pathlib.Path]) -> List[Row]:
    """Every (pact, interaction, provider) with the three verdicts.

    The providers run three at a time: a verifier run mostly waits (process start-up, state
    changes), so this keeps the file's wall time near a third of running them in turn.
    """
    require_rust(), require_ruby_verifier()
    paths = list(pacts.values())
    ruby_paths = [p for label, p in pacts.items() if _ruby_reads(label)]
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(3) as pool:
        jobs = [pool.submit(_verify_against, how, paths, ruby_paths, pathlib.Path(tmp))
                for how in corpus.BREAKS]
        rows = [row for job in jobs for row in job.result()]
    _print_table(rows)
    return rows


def _split(row: Row) -> bool:
    """Both official verifiers ran and they disagree."""
    return NOT_RUN not in (row.ruby, row.rust) and row.ruby != row.rust


def _print_table(rows: Sequence[Row]) -> None:
    """The disagreements, one line per (pact, interaction, verdicts), providers gathered."""
    split = [r for r in rows if _split(r)]
    odd = [r for r in rows if _reference(r) not in (NOT_RUN, r.ours)]
    print(f"\n{len(rows)} verdicts per verifier; Ruby and Rust disagree on {len(split)}; "
          f"ours differs from the reference on {len(odd)}")
    lines: Dict[Tuple[str, str, str, str, str], List[str]] = {}
    for row in split + [r for r in odd if r not in split]:
        lines.setdefault((row.pact, row.description, row.ours, row.ruby, row.rust),
                         []).append(row.provider)
    print(f"{'pact':8} {'interaction':15} ours/ruby/rust  providers  reason")
    for (pact, description, ours, ruby, rust), providers in sorted(lines.items()):
        known = _expected(Row(pact, description, providers[0], ours, ruby, rust))
        where = "all but " + ", ".join(sorted(set(corpus.BREAKS) - set(providers))) \
            if len(providers) > len(corpus.BREAKS) / 2 else ", ".join(providers)
        print(f"{pact:8} {description:15} {ours}/{ruby}/{rust}  {where}  "
              f"{known.reason if known else 'NOT EXPECTED'}")


def _reference(row: Row) -> str:
    """What ours must say: the official verifiers' shared verdict, the one that ran (Ruby
    does not read v4; see :data:`NOT_RUN_BY`) unless it is a listed odd one out, or the one
    a listed disagreement sides with; :data:`NOT_RUN` when no official verdict stands."""
    known = _expected(row)
    if row.ruby == row.rust:
        return row.ruby
    if known is not None:
        return row.verdict("rust" if known.odd_one == "ruby" else "ruby")
    return row.rust if row.ruby == NOT_RUN else row.ruby if row.rust == NOT_RUN else row.rust


def _expected(row: Row) -> Optional[Disagreement]:
    for item in EXPECTED_DISAGREEMENTS:
        if (fnmatch.fnmatchcase(row.pact, item.pacts) and row.description == item.description
                and fnmatch.fnmatchcase(row.provider, item.providers)):
            return item
    return None


# ------------------------------------------------------------------------------- the checks
def test_the_corpus_covers_every_spec_writer_and_break(table: List[Row]) -> None:
    assert {r.pact for r in table} == {f"{w}-v{s}" for w in ("ours", "rust") for s in "234"}
    assert {r.provider for r in table} == set(corpus.BREAKS)
    assert len(table) == 6 * len(corpus.DESCRIPTIONS) * len(corpus.BREAKS)
    assert all(r.ruby != NOT_RUN for r in table if _ruby_reads(r.pact))
    assert all(r.rust != NOT_RUN for r in table if r.provider not in NOT_RUN_BY)


def test_ours_agrees_wherever_the_official_verifiers_agree(table: List[Row]) -> None:
    wrong = [r for r in table if _reference(r) not in (NOT_RUN, r.ours)]
    compared = [r for r in table if _reference(r) != NOT_RUN]
    assert len(compared) > 0.8 * len(table), len(compared)
    assert not wrong, "\n".join(map(str, wrong))


def test_every_disagreement_is_listed_with_its_reason(table: List[Row]) -> None:
    split = [r for r in table if _split(r)]
    unlisted = [r for r in split if _expected(r) is None]
    assert not unlisted, "Ruby and Rust disagree, not in EXPECTED_DISAGREEMENTS:\n" + \
        "\n".join(map(str, unlisted))
    for item in EXPECTED_DISAGREEMENTS:  # each entry still happens, and as described
        hits = [r for r in split if _expected(r) is item]
        assert hits, f"stale entry: {item}"
        assert all(r.verdict(item.odd_one) != r.ours for r in hits), (item, hits)


def test_ours_fails_exactly_the_broken_interactions(table: List[Row]) -> None:
    """The corpus is designed so each break fails its interactions and nothing else."""
    for row in table:
        broken = row.description in corpus.BREAKS[row.provider]
        assert row.ours == (FAILED if broken else PASSED), row
