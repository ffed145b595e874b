"""Guards on the package's shape: small modules, and no import cycle among pinaudit's modules.

The cycle check reads every import statement of the package with ``ast`` - at module level, under
``TYPE_CHECKING``, and inside functions alike - because a cycle hidden in a function body is still
a cycle: two modules that need each other cannot be understood, tested or moved apart one at a
time, and a lazy import only postpones the question of which one is loaded first.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers import REPO

PACKAGE = REPO / "pinaudit"
MAX_LINES = 700


def _module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _known(name: str, modules: dict[str, Path]) -> str | None:
    """``name`` if it is one of the package's modules, else the closest enclosing one."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in modules:
            return candidate
        parts.pop()
    return None


def imports_of(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` (the module in ``path``) imports, wherever it does so.

    ``from pkg import sub`` counts as importing ``pkg.sub`` when that is a module (and ``pkg``
    otherwise); relative imports are resolved against the module's own package.
    """
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found = _known(alias.name, modules)
                if found is not None:
                    out.add(found)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = name.split(".") if is_package else name.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            for alias in node.names:
                found = _known(f"{base}.{alias.name}", modules) if alias.name != "*" else None
                if found is None or found != f"{base}.{alias.name}":
                    found = _known(base, modules)
                if found is not None:
                    out.add(found)
    out.discard(name)
    return out


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: imports_of(name, path, modules) for name, path in modules.items()}


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component: list[str] = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return sorted(found)


def _path_through(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One concrete cycle inside a component, for the failure message: a -> b -> ... -> a."""
    members = set(component)
    start = component[0]
    parents: dict[str, str] = {}
    frontier = [start]
    while frontier:
        nxt: list[str] = []
        for v in frontier:
            for w in sorted(graph[v] & members):
                if w == start:
                    path = [v]
                    while path[-1] != start:
                        path.append(parents[path[-1]])
                    return [start, *reversed(path[:-1]), start] if v != start else [start, start]
                if w not in parents:
                    parents[w] = v
                    nxt.append(w)
        frontier = nxt
    return component


def test_no_module_over_700_lines() -> None:
    too_long = {
        path.relative_to(REPO).as_posix(): n
        for path in sorted(PACKAGE.rglob("*.py"))
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_long == {}, f"modules over {MAX_LINES} lines (split them): {too_long}"


def test_no_import_cycle_among_pinaudit_modules() -> None:
    graph = import_graph()
    found = [" -> ".join(_path_through(graph, c)) + f"  (component: {', '.join(c)})" for c in cycles(graph)]
    assert found == [], "import cycles:\n" + "\n".join(found)


# the checker itself, on small made-up packages --------------------------------------------------


def _graph_of(tmp_path: Path, files: dict[str, str]) -> dict[str, set[str]]:
    for rel, text in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text)
    modules = {
        ".".join(p.relative_to(tmp_path).with_suffix("").parts).removesuffix(".__init__"): p
        for p in sorted(tmp_path.rglob("*.py"))
    }
    return {n: imports_of(n, p, modules) for n, p in modules.items()}


def test_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    graph = _graph_of(tmp_path, {
        "pkg/__init__.py": "def f():\n    from pkg import sub\n",
        "pkg/sub.py": "TYPE_CHECKING = False\nif TYPE_CHECKING:\n    from . import Thing\n",
        "pkg/a.py": "import pkg.b\nfrom .c import x\nfrom pkg import d, NAME\n",
        "pkg/b.py": "", "pkg/c.py": "", "pkg/d.py": "",
        "pkg/inner/__init__.py": "from .. import a\nfrom ..inner import e\nfrom .e import *\n",
        "pkg/inner/e.py": "from .. import b\n",
    })  # fmt: skip
    assert graph["pkg"] == {"pkg.sub"}  # inside a function
    assert graph["pkg.sub"] == {"pkg"}  # under TYPE_CHECKING, relative, a name of the package
    assert graph["pkg.a"] == {"pkg.b", "pkg.c", "pkg.d", "pkg"}  # `from pkg import NAME` is pkg itself
    assert graph["pkg.inner"] == {"pkg.a", "pkg.inner.e"}
    assert cycles(graph) == [["pkg", "pkg.sub"]]
    assert _path_through(graph, ["pkg", "pkg.sub"]) == ["pkg", "pkg.sub", "pkg"]


def test_analyzers_do_not_import_each_other() -> None:
    """What two analyzers share lives in a module of its own (analyzers/_shell_sites.py,
    requirements_walk.py, ...), so an analyzer can change without another one changing with it."""
    from pinaudit.analyzers import KINDS

    analyzers = set(KINDS.values())
    graph = import_graph()
    shared = {a: sorted(graph[a] & analyzers) for a in sorted(analyzers) if graph[a] & analyzers}
    assert shared == {}
