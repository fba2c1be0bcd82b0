"""The import graph of `unspin` (docs/layout.md): no cycle between modules, none between folders,
and the engine imports nothing of the API, the commands or Flask.

Every import statement counts, those inside functions too: a deferred import is still a
dependency. Read from the source (ast), so nothing is imported to check it."""

from __future__ import annotations

import ast
import pkgutil
from pathlib import Path

import unspin
import unspin.scripts

ENGINE_MUST_NOT_IMPORT = ("unspin.api", "unspin.contract", "unspin.commands", "unspin.scan", "unspin.cli",
                          "unspin.native_host", "flask", "werkzeug", "flask_cors", "waitress")


def modules() -> dict[str, Path]:
    """Every module of the installed `unspin` package, by name -> its file; `unspin.scripts` is a
    folder of its own (scripts/, pyproject's package-dir), which an editable install does not
    place under unspin's path, so it is walked too."""
    found = {"unspin": Path(unspin.__file__), "unspin.scripts": Path(unspin.scripts.__file__)}
    for package in (unspin, unspin.scripts):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            spec = info.module_finder.find_spec(info.name)
            if spec is not None and spec.origin and spec.origin.endswith(".py"):
                found[info.name] = Path(spec.origin)
    return found


def imports(name: str, path: Path, known: set[str]) -> set[str]:
    """The modules (of `known`, or any top-level package outside unspin) that module `name` imports."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module
            # `from package import module` names a module; `from module import name` the module
            targets = [f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module for alias in node.names]
        else:
            continue
        for target in targets:
            if target.startswith("unspin"):
                while target not in known and "." in target:  # a name inside a module
                    target = target.rpartition(".")[0]
                if target != name:
                    out.add(target)
            else:
                out.add(target)
    return out


def graph() -> dict[str, set[str]]:
    found = modules()
    known = set(found)
    return {name: {t for t in imports(name, path, known) if t in known} for name, path in found.items()}


def folder(name: str, packages: set[str]) -> str:
    """A module's folder: the subpackage of unspin it is in (unspin.engine, unspin.scripts.training,
    ...); a top-level module, or a package's own __init__, is a node of its own."""
    if name in packages:
        return name
    parent = name.rpartition(".")[0]
    return parent if parent != "unspin" else name


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_package_is_found_whole():
    names = set(modules())
    assert {"unspin.engine.engine", "unspin.lm.load", "unspin.contract.requests", "unspin.api.app",
            "unspin.commands.serve", "unspin.scan.rows", "unspin.scripts.training.train", "unspin.cli"} <= names


def test_no_module_imports_itself_back():
    assert cycles(graph()) == []


def test_no_folder_imports_itself_back():
    packages = {name for name, path in modules().items() if path.name == "__init__.py"}
    edges: dict[str, set[str]] = {}
    for source, targets in graph().items():
        a = folder(source, packages)
        edges.setdefault(a, set()).update(folder(t, packages) for t in targets if folder(t, packages) != a)
    assert cycles(edges) == []


def test_the_engine_imports_nothing_of_the_api_nor_flask():
    found = modules()
    known = set(found)
    for name, path in found.items():
        if name == "unspin.engine" or name.startswith(("unspin.engine.", "unspin.lm")):
            bad = sorted(t for t in imports(name, path, known) if t.startswith(ENGINE_MUST_NOT_IMPORT))
            assert bad == [], f"{name} imports {bad}"


def test_the_request_layer_needs_no_flask():
    found = modules()
    known = set(found)
    for name, path in found.items():
        if name.startswith("unspin.contract"):
            bad = sorted(t for t in imports(name, path, known)
                         if t.split(".")[0] in ("flask", "werkzeug") or t.startswith("unspin.api"))
            assert bad == [], f"{name} imports {bad}"
