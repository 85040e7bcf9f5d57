"""Rules of the code's shape, checked (docs/DESIGN: one rule, one place; data flows one way).

Each check is one small, self-contained function; add new ones below.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _route_modules() -> dict[str, ast.Module]:
    """Every module under ``api/routes/``, parsed, by its path from the repository root."""
    files = sorted((ROOT / "api" / "routes").rglob("*.py"))
    assert len(files) > 5  # the walk found the routes
    return {
        str(path.relative_to(ROOT)): ast.parse(path.read_text(encoding="utf-8"), str(path))
        for path in files
    }


def test_route_modules_import_nothing_of_sqlalchemy_but_the_session_type() -> None:
    # The SQL lives in api/store/; a route module may name the Session type (to pass
    # the request's session on, and in annotations), nothing else: no select, no
    # column expressions, no IntegrityError (store.database.save turns that into a
    # ClashError).  Lazy imports inside functions count too.
    allowed = {("sqlalchemy.orm", "Session")}
    found = []
    for name, tree in _route_modules().items():
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                found += [
                    (name, alias.name)
                    for alias in node.names
                    if alias.name.split(".")[0] == "sqlalchemy"
                ]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == (
                "sqlalchemy"
            ):
                found += [
                    (name, f"{node.module}.{alias.name}")
                    for alias in node.names
                    if (node.module, alias.name) not in allowed
                ]
    assert found == []


def test_route_modules_run_no_statements_on_the_session() -> None:
    # A route ends its request's transaction (session.commit); reading and writing rows
    # (execute, scalars, get, add, delete, flush ...) goes through api/store/.
    found = [
        (name, node.lineno, node.func.attr)
        for name, tree in _route_modules().items()
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id == "session"
        and node.func.attr != "commit"
    ]
    assert found == []
