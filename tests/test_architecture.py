"""Dependency rules of the package, read from the source (no imports run)."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "matcher"


def _matcher_imports(module: str) -> set[str]:
    """The ``matcher.*`` modules one module of the package imports, anywhere in its source."""
    parts = module.split(".")[1:]
    path = PACKAGE / Path(*parts).with_suffix(".py") if parts else PACKAGE / "__init__.py"
    if not path.exists():
        path = PACKAGE / Path(*parts) / "__init__.py"
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name == "matcher" or name.startswith("matcher.")}


def _is_module(name: str) -> bool:
    """Whether a ``matcher.*`` name is a module of the package (not a name inside one)."""
    parts = name.split(".")[1:]
    if not parts:
        return True
    relative = Path(*parts)
    return (PACKAGE / relative.with_suffix(".py")).exists() or (
        PACKAGE / relative / "__init__.py"
    ).exists()


def test_checker_imports_only_domain_and_calendar() -> None:
    # The checker is the independent second opinion on every roster: it must
    # not share code with the solver, the greedy, eligibility or the timing
    # and team-rule modules they use.
    modules = {name for name in _matcher_imports("matcher.check") if _is_module(name)}
    assert modules <= {"matcher.domain", "matcher.calendar"}, modules


def test_explain_imports_nothing_from_the_solver() -> None:
    # Explanations read the problem, eligibility and the roster; following
    # every import they make, none reaches matcher.solver.
    seen: set[str] = set()
    todo = ["matcher.explain"]
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo.extend(name for name in _matcher_imports(module) if _is_module(name))
    assert not {name for name in seen if name.startswith("matcher.solver")}, sorted(seen)
