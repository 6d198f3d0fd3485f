"""The package is laid out as the pipeline, and its imports only run downward.

Every ``import`` statement of ``generator/`` is read from the source (function-level ones
too), so a cycle cannot hide behind a late import. Stages, in order: fetch -> filter ->
score -> store, then the orchestrators (pipeline, backfill), then the site and the tools
(doctor), then the command line. The shared models (models, schema, config, errors, text,
yamlio) sit below every stage. The site reads only stored data and the shared models.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "generator"

# Rank of each top-level part: a module may import its own part or a lower rank only.
RANKS = {
    "errors": 0,
    "text": 0,
    "models": 0,
    "yamlio": 0,
    "config": 0,
    "schema": 0,
    "fetch": 1,
    "filter": 2,
    "score": 3,
    "store": 4,
    "lock": 4,  # the run lock: taken by the pipeline and backfill, imports errors only
    "pipeline": 5,
    "backfill": 6,
    "site": 7,
    "doctor": 7,
    "cli": 8,
    "__main__": 9,
    "__init__": 9,
}
SHARED = {"errors", "text", "models", "yamlio", "config", "schema"}
SITE_MAY_IMPORT = SHARED | {"store", "site"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path) -> set[str]:
    """Every ``generator.*`` module named by an import statement anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("generator")}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("generator"):
            # ``from generator.site import days`` imports the module generator.site.days.
            for alias in node.names:
                candidate = f"{node.module}.{alias.name}"
                sub = PACKAGE.parent / Path(*candidate.split("."))
                is_module = sub.with_suffix(".py").is_file() or (sub / "__init__.py").is_file()
                found.add(candidate if is_module else str(node.module))
    return found


def graph() -> dict[str, set[str]]:
    return {module_name(p): imports_of(p) for p in sorted(PACKAGE.rglob("*.py"))}


def part(module: str) -> str:
    pieces = module.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def test_every_part_has_a_rank() -> None:
    parts = {part(m) for m in graph()}
    assert parts <= set(RANKS), f"give these a rank in RANKS: {sorted(parts - set(RANKS))}"


def test_no_stage_imports_a_later_stage() -> None:
    wrong = []
    for module, imported in graph().items():
        here = part(module)
        for target in imported:
            there = part(target)
            if there != here and RANKS[there] > RANKS[here]:
                wrong.append(f"{module} imports {target}")
            if here == "site" and there not in SITE_MAY_IMPORT:
                wrong.append(f"{module} imports {target} (the site reads stored data only)")
    assert not wrong, "\n".join(sorted(wrong))


def test_no_import_cycle() -> None:
    edges = graph()
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    cycles: list[list[str]] = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(edges.get(module, ())):
            if target not in edges:
                continue
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[module] = 2

    for module in sorted(edges):
        if module not in state:
            visit(module, [module])
    assert not cycles, "\n".join(" -> ".join(c) for c in cycles)


def test_the_walk_sees_late_imports() -> None:
    """The checks read function-level imports too (the scorer modules are imported late)."""
    assert "generator.score.llm" in graph()["generator.score"]
