"""The package's layout, checked: its folders are its layers (docs/architecture.rst).

* No import loops, counting every import of the package's modules, at module level and
  inside functions; only ``if TYPE_CHECKING:`` imports (annotations) are exempt. An import
  of ``a.b.c`` from outside ``a.b`` runs ``a/b/__init__.py`` too, so it counts as an import
  of that package's interface as well.
* The packages depend on each other one way: the package graph has no loop either.
* At most six loose modules at the top (``__init__``, ``__main__``, ``_version`` aside) and
  no module over 600 lines.
* Every documented public name imports from its documented path, and the exceptions a
  worker process raises unpickle from their import path (Django ``--parallel``).
"""
from __future__ import annotations

import ast
import importlib
import pickle
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "pact_unittest"
NAME = "pact_unittest"


def _modules() -> Dict[str, Path]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return ast.unparse(test).split(".")[-1] == "TYPE_CHECKING"


class _Imports(ast.NodeVisitor):
    """Every module a module imports, wherever the import statement stands."""

    def __init__(self, module: str, is_package: bool, known: Set[str]) -> None:
        self.package = module if is_package else module.rpartition(".")[0]
        self.known = known
        self.found: Set[str] = set()

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            if alias.name == NAME or alias.name.startswith(NAME + "."):
                self.found.add(alias.name)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
            target = ".".join(base) + (f".{node.module}" if node.module else "")
        else:
            target = node.module or ""
        if not (target == NAME or target.startswith(NAME + ".")):
            return
        for alias in node.names:
            sub = f"{target}.{alias.name}"
            self.found.add(sub if sub in self.known else target)


def _graph() -> Dict[str, Set[str]]:
    modules = _modules()
    known = set(modules)
    graph: Dict[str, Set[str]] = {}
    for module, path in modules.items():
        visitor = _Imports(module, path.name == "__init__.py", known)
        visitor.visit(ast.parse(path.read_text(encoding="utf-8"), str(path)))
        own_ancestors = {".".join(module.split(".")[:i]) for i in range(1, module.count(".") + 2)}
        edges: Set[str] = set()
        for target in visitor.found:
            edges.add(target)
            parts = target.split(".")
            for i in range(2, len(parts)):  # the packages the import runs on the way
                ancestor = ".".join(parts[:i])
                if ancestor not in own_ancestors:
                    edges.add(ancestor)
        graph[module] = {t for t in edges if t in known and t != module}
    return graph


def _cycles(graph: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected components of more than one node (Tarjan, iterative)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []
    counter = 0
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(graph.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return found


def test_no_module_imports_itself_back_through_others() -> None:
    graph = _graph()
    assert len(graph) > 60
    # An import inside a function counts (render_response imports the generators lazily).
    assert "pact_unittest.matchers.generators" in graph["pact_unittest.mock_service._replay"]
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_loop() -> None:
    # The check above could pass by finding nothing: show it finds a planted loop.
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def _room(module: str) -> str:
    """The package (room) a module lives in: ``pact_unittest.model.wire`` -> ``model``."""
    parts = module.split(".")
    if len(parts) == 1:
        return "<top>"
    path = PACKAGE.joinpath(*parts[1:])
    return parts[1] if (len(parts) > 2 or path.is_dir()) else "<top>"


def test_the_rooms_depend_on_each_other_one_way() -> None:
    rooms: Dict[str, Set[str]] = {}
    for module, targets in _graph().items():
        if _room(module) == "<top>":
            continue  # the package's own front door and the v2 module paths re-export
        rooms.setdefault(_room(module), set()).update(
            _room(t) for t in targets if _room(t) not in ("<top>", _room(module)))
    assert "matching" in rooms and rooms["matching"] == set()
    assert _cycles(rooms) == []


def test_at_most_six_loose_modules_and_none_over_600_lines() -> None:
    loose = sorted(p.name for p in PACKAGE.glob("*.py")
                   if p.name not in ("__init__.py", "__main__.py", "_version.py"))
    assert len(loose) <= 6, loose
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 600}
    assert long == {}


#: Every documented public name, by the path the README and pact-python v2 document.
DOCUMENTED = {
    "pact_unittest": None,  # every name in __all__
    "pact_unittest.matching": ["match_request", "match_response", "match_message", "Mismatch"],
    "pact_unittest.mock_service": ["MockService"],
    "pact_unittest.broker": ["Broker", "BrokerClient", "publish_pacts", "PublishResult",
                             "BrokerError"],
    "pact_unittest.matchers": ["Matcher", "Term", "Like", "SomethingLike", "EachLike", "Format",
                               "from_term", "get_generated_values", "Integer", "Regex"],
    # pact-python v2's module paths
    "pact_unittest.pact": ["Pact", "Request", "Response", "FromTerms"],
    "pact_unittest.consumer": ["Consumer"],
    "pact_unittest.provider": ["Provider"],
    "pact_unittest.testcase": ["PactMixin", "PactTestCase", "interaction"],
    "pact_unittest.pact_file": ["write_pact", "read_pact", "pact_file_name", "PactConflictError"],
    "pact_unittest.verifier": None,  # v2's pact.verifier (Verifier) and the library API
    "pact_unittest.message_provider": ["MessageProvider"],
}


@pytest.mark.parametrize("path", sorted(DOCUMENTED))
def test_every_documented_name_imports_from_its_documented_path(path: str) -> None:
    names = DOCUMENTED[path]
    # A fresh interpreter: nothing imported earlier in this process can make it pass.
    code = (f"import importlib; m = importlib.import_module({path!r}); "
            f"names = {names!r} or m.__all__; "
            "missing = [n for n in names if getattr(m, n, None) is None]; "
            "print(len(names)); assert not missing, missing")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 1


def test_v2_module_paths_are_attributes_of_the_package() -> None:
    # A real v2 suite does `import pact; pact.matchers.Matcher`.
    code = ("import pact_unittest as pact\n"
            "assert pact.matchers.Matcher is pact.Matcher\n"
            "assert pact.pact.Pact is pact.Pact and pact.consumer.Consumer is pact.Consumer\n"
            "assert pact.provider.Provider is pact.Provider and pact.broker.Broker is pact.Broker\n"
            "assert pact.verifier.Verifier is pact.Verifier\n"
            "assert pact.message_provider.MessageProvider is pact.MessageProvider\n"
            "from pact_unittest.pact import Pact\n"
            "from pact_unittest.matchers import EachLike\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, result.stderr


def test_exceptions_unpickle_from_their_import_path() -> None:
    from pact_unittest import BrokerConflictError, ForkedServiceError, PactConflictError, PactException
    from pact_unittest.mock_service import InteractionClashError
    from pact_unittest.verifier import PactSourceError, ProviderUnreachable, StateSetupError

    samples = [
        PactConflictError("two differ", "a", "b", ["$.x: 1 != 2"], "pacts/c-p.json"),
        PactException("incomplete"),
        ForkedServiceError("forked"),
        InteractionClashError("clash"),
        BrokerConflictError("409"),
        PactSourceError("pacts/c-p.json is not a valid pact file"),
        StateSetupError("state 'x' failed"),
        ProviderUnreachable("GET http://localhost:9/x: ConnectionError"),
    ]
    for error in samples:
        data = pickle.dumps(error)
        # Unpickled in another interpreter, as Django's parallel runner's parent does.
        code = ("import pickle, sys; e = pickle.loads(sys.stdin.buffer.read()); "
                "print(type(e).__module__ + '.' + type(e).__qualname__, e)")
        result = subprocess.run([sys.executable, "-c", code], input=data, capture_output=True,
                                cwd=ROOT)
        assert result.returncode == 0, result.stderr.decode()
        shown = result.stdout.decode()
        assert shown.startswith(type(error).__module__ + "." + type(error).__qualname__)
        importlib.import_module(type(error).__module__)
        assert str(error) in shown
