"""The package's import graph has no cycles, and no module keeps state of its own (a global it
rebinds, or a module-level dict, list or set a function changes).

The graph is read from the source with `ast`, not by importing: an edge runs from a module to
every module of the package it imports anywhere, at module level or inside a function.
Function-level (lazy) imports count too: they cannot meet a half-initialised module at load
time, but a cycle hidden by one is still two modules that need each other (the command layer
had one: cli.py and gate_cli.py), and it turns into a load-time failure the day someone moves
the import to the top. Only imports under `if TYPE_CHECKING:` are left out: they never run.
Importing `a.b.c` also runs the packages `a.b` and `a` first, so those are edges too, except
for packages that contain the importing module (they are already loading when it does).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "spillguard"


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module under the package folder `root`."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = list(path.relative_to(root.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def runnable_imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement in `tree` that can run: all of them but those under
    `if TYPE_CHECKING:`."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for other in node.orelse:
                yield from runnable_imports(ast.Module(body=[other], type_ignores=[]))
        else:
            yield from runnable_imports(node)


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    base = module.split(".")
    base = base if is_package else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def import_graph(root: Path) -> dict[str, set[str]]:
    known = modules(root)
    graph: dict[str, set[str]] = {name: set() for name in known}
    for name, path in known.items():
        is_package = path.name == "__init__.py"
        targets: set[str] = set()
        for node in runnable_imports(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            else:
                source = _absolute(name, is_package, node)
                targets.add(source)
                # `from pkg import mod` loads the module pkg.mod
                targets.update(f"{source}.{alias.name}" for alias in node.names)
        for target in targets:
            parts = target.split(".")
            for depth in range(1, len(parts) + 1):
                prefix = ".".join(parts[:depth])
                contains_importer = name == prefix or name.startswith(prefix + ".")
                if prefix in known and prefix != name and not contains_importer:
                    graph[name].add(prefix)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def test_the_package_has_no_import_cycle() -> None:
    graph = import_graph(PACKAGE)
    assert len(graph) > 50  # the walk found the package
    assert "spillguard.cli.common" in graph["spillguard.cli.gate"]
    assert cycles(graph) == []


def test_a_cycle_is_found(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from pkg.sub import b\n")
    (package / "sub" / "__init__.py").write_text("")
    (package / "sub" / "b.py").write_text("from typing import TYPE_CHECKING\nfrom .. import c\n")
    (package / "c.py").write_text("if TYPE_CHECKING:\n    import pkg.a\n")  # never runs
    (package / "d.py").write_text("import pkg.c\n")
    assert cycles(import_graph(package)) == []
    (package / "c.py").write_text("def f() -> None:\n    import pkg.a\n")  # lazy, but a cycle
    assert cycles(import_graph(package)) == [["pkg.a", "pkg.c", "pkg.sub.b"]]


def test_a_package_init_that_imports_its_importer_is_a_cycle(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "cli").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "cli" / "__init__.py").write_text("from pkg.cli import app\n")
    (package / "cli" / "app.py").write_text("import pkg.store.model\n")
    (package / "store").mkdir()
    (package / "store" / "__init__.py").write_text("from pkg.store import model\n")
    (package / "store" / "model.py").write_text("from pkg.cli import common\n")
    (package / "cli" / "common.py").write_text("")
    assert cycles(import_graph(package)) == [["pkg.cli", "pkg.cli.app", "pkg.store", "pkg.store.model"]]


def test_no_module_rebinds_its_globals() -> None:
    """No `global` statement anywhere: settings are passed in, state lives in objects."""
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{node.lineno}"
        for path in sorted(PACKAGE.rglob("*.py"))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Global)
    ]
    assert offenders == []


def test_the_package_carries_no_generator_of_people() -> None:
    """The generators live in `testing/`, outside what the wheel packages; nothing in the
    package imports them or Faker."""
    import tomllib

    from setuptools import find_packages

    repo = PACKAGE.parent
    config = tomllib.loads((repo / "pyproject.toml").read_text(encoding="utf-8"))
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = find_packages(str(repo), include=include)
    assert "spillguard" in packaged and "testing" not in packaged
    imported = {target for targets in import_graph(PACKAGE).values() for target in targets}
    assert not any(name.startswith("testing") for name in imported)
    for path in PACKAGE.rglob("*.py"):
        for node in runnable_imports(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            assert not any(n.split(".")[0] in ("testing", "faker") for n in names), path


MUTATORS = frozenset({"append", "add", "clear", "discard", "extend", "insert", "pop", "popitem", "remove",
                      "setdefault", "update"})  # fmt: skip


def mutated_module_containers(source: str) -> list[str]:
    """Module-level dicts, lists and sets that a function of the same module changes: state
    that outlives a call (the old calamine prefetch kept a workbook in one)."""
    tree = ast.parse(source)
    containers: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            value = node.value
            mutable = isinstance(
                value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp | ast.SetComp
            )
            built = (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id in ("dict", "list", "set")
            )
            if mutable or built:
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                containers |= {t.id for t in targets if isinstance(t, ast.Name)}
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        for node in ast.walk(function):
            changed: list[ast.expr] = []
            if isinstance(node, ast.Assign | ast.Delete):
                changed = [t.value for t in node.targets if isinstance(t, ast.Subscript)]
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Subscript):
                changed = [node.target.value]
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in MUTATORS
            ):
                changed = [node.func.value]
            found += [
                f"{c.id}:{node.lineno}" for c in changed if isinstance(c, ast.Name) and c.id in containers
            ]
    return found


def test_no_module_keeps_state_in_a_container_of_its_own() -> None:
    offenders = {
        str(path.relative_to(PACKAGE.parent)): found
        for path in sorted(PACKAGE.rglob("*.py"))
        if (found := mutated_module_containers(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


def test_module_state_is_found() -> None:
    source = "_started = {}\nLIMITS = {'a': 1}\n\ndef prefetch(path):\n    _started[path] = object()\n"
    assert mutated_module_containers(source) == ["_started:5"]
    assert mutated_module_containers("SEEN = set()\n\ndef f(x):\n    SEEN.add(x)\n") == ["SEEN:4"]
    assert mutated_module_containers("TABLE = {'a': 1}\n\ndef f(d):\n    d['a'] = TABLE['a']\n") == []
