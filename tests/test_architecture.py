"""Rules of the code's shape, checked (docs/architecture.md: one rule, one place).

Every check reads source files only, except one that runs the HiGHS
benchmark path to see which stage driver it calls.  Each check is one small,
self-contained function; add new ones below.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from unittest import mock

PACKAGE = Path(__file__).resolve().parent.parent / "matcher"
ROOT = PACKAGE.parent


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


def test_checker_imports_only_domain_calendar_and_messages() -> None:
    # The checker is the independent second opinion on every roster: it must
    # not share code with the solver, the greedy, eligibility or the timing
    # and team-rule modules they use.
    # matcher.i18n only translates its messages and knows no rule.
    modules = {name for name in _matcher_imports("matcher.check") if _is_module(name)}
    assert modules <= {"matcher.domain", "matcher.calendar", "matcher.i18n"}, modules


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


# --- one stage driver; the library stays apart from the service and HiGHS -------------


def _imported_modules(path: Path) -> set[str]:
    """Every module a file imports, at any depth (functions' lazy imports too)."""
    modules = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    return modules


def _imported_names(path: Path, module: str) -> set[str]:
    """Names a file imports from ``module`` (``from module import name``)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == module
        for alias in node.names
    }


def _library_files() -> list[Path]:
    files = sorted((ROOT / "matcher").rglob("*.py"))
    assert len(files) > 20  # the walk found the library
    return files


def _importers(prefix: str) -> list[str]:
    return [
        str(path.relative_to(ROOT))
        for path in _library_files()
        if any(m == prefix or m.startswith(prefix + ".") for m in _imported_modules(path))
    ]


def test_the_library_never_imports_the_service() -> None:
    assert _importers("api") == []


def test_highspy_is_behind_the_backend_and_the_library_never_imports_benchmarks() -> None:
    # HiGHS solves some stages of large models (matcher/solver/portfolio.py): only
    # the translation and its backend talk to it; the rest sees the Backend protocol.
    assert sorted(_importers("highspy")) == ["matcher/solver/highs.py", "matcher/solver/milp.py"]
    assert _importers("benchmarks") == []


def test_highs_runs_the_stage_driver_that_solve_runs() -> None:
    """The benchmark's HiGHS column and ``solve`` share one procedure, not two copies."""
    from benchmarks import highs_backend
    from matcher.generate import generate_problem
    from matcher.params import SolverParams
    from matcher.solver import parts, stages
    from matcher.solver.backend import Backend
    from matcher.solver.cpsat import CpSatBackend

    # matcher.solver's ``solve`` is the function; the module is needed here.
    solve = importlib.import_module("matcher.solver.solve")

    # The name each caller uses is the driver itself, not a look-alike.
    assert highs_backend.run_stages is stages.run_stages
    assert solve.run_stages is stages.run_stages
    assert parts.run_stages is stages.run_stages
    # And each caller really goes through it, with its own backend.
    problem = generate_problem(30, 10, seed=1)
    params = SolverParams(time_limit=10)
    for module, backend_type, run in (
        (solve, CpSatBackend, lambda: solve.solve(problem, params)),
        (
            highs_backend,
            highs_backend.HighsBackend,
            lambda: highs_backend.solve_with_highs(problem, params),
        ),
    ):
        with mock.patch.object(module, "run_stages", wraps=stages.run_stages) as driver:
            run()
        assert driver.call_count == 1
        backend = driver.call_args.args[3]
        assert isinstance(backend, backend_type) and isinstance(backend, Backend)


def test_only_the_driver_orders_the_stages() -> None:
    """Greedy starts and team filling are the driver's steps: no backend repeats them."""
    backends = [
        ROOT / "matcher/solver/cpsat.py",
        ROOT / "matcher/solver/highs.py",
        ROOT / "matcher/solver/portfolio.py",
        *sorted((ROOT / "benchmarks").glob("highs*.py")),
    ]
    for path in backends:
        steps = _imported_names(path, "matcher.baselines") & {
            "greedy_roster",
            "fill_teams",
            "restaff_teams",
        }
        assert not steps, (path, steps)


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


LONG_MODULE = 520
"""Lines past which a module's docstring must say why it is long (the rule is about 500)."""
LONG_FUNCTION = 90
"""Lines past which a function's docstring must say why (the rule is about 80)."""
REASON = ("on purpose", "because", "one piece")


def _sources() -> list[Path]:
    return [
        path
        for folder in ("matcher", "api")
        for path in sorted((ROOT / folder).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def test_long_modules_and_functions_say_why() -> None:
    unexplained = []
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        tree = ast.parse(source)
        if source.count("\n") > LONG_MODULE:
            doc = " ".join((ast.get_docstring(tree) or "").lower().split())
            if "lines" not in doc or not any(word in doc for word in REASON):
                unexplained.append(str(path.relative_to(ROOT)))
        for node in ast.walk(tree):
            if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            length = (node.end_lineno or node.lineno) - node.lineno + 1
            doc = " ".join((ast.get_docstring(node) or "").lower().split())
            if length > LONG_FUNCTION and not any(word in doc for word in REASON):
                unexplained.append(f"{path.relative_to(ROOT)}:{node.name} ({length} lines)")
    assert unexplained == []


def test_pairing_checker_imports_only_domain_and_messages() -> None:
    # The pairing checker is the second opinion on every pairing: it shares no
    # code with matcher.pairing (its rules, model and explanations) or the solver.
    modules = {name for name in _matcher_imports("matcher.check_pairing") if _is_module(name)}
    assert modules <= {"matcher.domain", "matcher.i18n"}, modules
