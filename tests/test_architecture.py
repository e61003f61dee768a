"""The package's stages and their import rules, as ARCHITECTURE.md states them: no module imports one of a
stage above its own, and no two modules import each other, directly or through others."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "src" / "lagesbild_cli"

# What each room may import from the package, besides itself (ARCHITECTURE.md, "The rooms"). The library API
# at the root (pipeline, batch, demo, doctor, cli) may import any room; no room may import the root's API.
FOUNDATION = {"__init__", "errors", "interrupts", "i18n"}
MAY_IMPORT: dict[str, set[str]] = {
    "errors": {"i18n"},
    "interrupts": {"i18n"},
    "i18n": set(),
    "storage": FOUNDATION,
    "settings": FOUNDATION | {"storage"},
    "sources": FOUNDATION | {"settings", "storage"},
    "contracts": FOUNDATION | {"settings", "storage", "sources"},
    "rules": FOUNDATION | {"settings"},
    "database": FOUNDATION | {"settings", "storage", "sources", "rules"},
    "context": FOUNDATION | {"settings", "storage", "rules", "database"},
    "render": FOUNDATION | {"settings", "storage", "context"},
}
API = {"__init__", "__main__", "cli", "pipeline", "batch", "demo", "doctor"}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[str]:
    """The lagesbild_cli modules ``path`` imports, wherever the import stands (inside a function, or under
    ``if TYPE_CHECKING:``: a dependency all the same)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.startswith("lagesbild_cli"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("lagesbild_cli"):
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                yield (
                    candidate
                    if (PACKAGE.parent / (candidate.replace(".", "/") + ".py")).exists()
                    or (PACKAGE.parent / candidate.replace(".", "/") / "__init__.py").exists()
                    else node.module
                )


def graph() -> dict[str, set[str]]:
    return {module_name(path): set(imports(path)) - {module_name(path)} for path in sorted(PACKAGE.rglob("*.py"))}


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_module_lives_in_a_room_or_is_the_api() -> None:
    strays = sorted(m for m in graph() if room(m) not in MAY_IMPORT and room(m) not in API)
    assert strays == [], "modules outside the rooms ARCHITECTURE.md names"


def test_no_room_imports_a_room_it_may_not() -> None:
    wrong = []
    for module, targets in graph().items():
        here = room(module)
        if here in API:
            continue
        for target in targets:
            there = room(target)
            if there != here and there not in MAY_IMPORT[here]:
                wrong.append(f"{module} imports {target}")
    assert sorted(wrong) == []


def test_no_import_circles() -> None:
    edges = graph()
    circles: list[list[str]] = []
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> None:  # Tarjan's strongly connected components
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in edges:
                continue
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    assert circles == []
