"""The project speaks Chinese by default: every message has a translation.

Three guards: each message id marked in the code (``_``, ``N_``,
``ngettext``) has a Chinese translation that keeps its placeholders; no
English prose is left in the code outside those marks (docstrings, logs,
OpenAPI descriptions and lines marked ``# i18n: not shown`` aside); and the
language can be chosen (``MATCHER_LANG``, :func:`use_language`,
``Accept-Language``).
"""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from matcher.i18n import (
    LANGUAGES,
    UnknownLanguageError,
    _,
    catalogue,
    language,
    negotiate,
    ngettext,
    normalize,
    use_language,
)

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("matcher", "api")
KEYWORDS = {"_": None, "N_": None, "ngettext": (1, 2)}


def _marked() -> dict[str | tuple[str, str], list[str]]:
    """Every message id marked in the code, with where it is."""
    found: dict[str | tuple[str, str], list[str]] = {}
    for package in PACKAGES:
        for filename, lineno, message, _comments, _context in extract_from_dir(
            ROOT / package,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=(),
        ):
            key = message if isinstance(message, str) else (message[0], message[1])
            found.setdefault(key, []).append(f"{package}/{filename}:{lineno}")
    return found


def _fields(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name}


def test_every_marked_message_has_a_chinese_translation():
    zh = catalogue("zh")
    missing = [f"{where[0]}: {key!r}" for key, where in _marked().items() if key not in zh]
    assert not missing, "no Chinese translation for:\n" + "\n".join(sorted(missing))


def test_translations_keep_every_placeholder():
    zh = catalogue("zh")
    wrong = []
    for key, text in zh.items():
        ids = key if isinstance(key, tuple) else (key,)
        texts = text if isinstance(text, tuple) else (text,)
        for translated in texts:
            if _fields(translated) != _fields(ids[-1]) and _fields(translated) != _fields(ids[0]):
                wrong.append(f"{key!r} -> {translated!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


# English prose: three words of lower-case letters in a row ("is not a", "must be one").
_PROSE = re.compile(r"\b[a-z]{2,}(?: [a-z]{1,}){2,}\b")
_MARKS = {"_", "N_", "ngettext"}
# Keywords whose text is for programmers reading the OpenAPI document or --help.
_DOC_KEYWORDS = {"description", "summary", "help", "epilog", "short_help", "title"}
_NOT_SHOWN = "# i18n: not shown"


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
        # an attribute's docstring: a bare string right after an assignment
        for field in ("body", "orelse"):
            statements = getattr(node, field, None)
            if isinstance(statements, list):
                for statement in statements[1:]:
                    if isinstance(statement, ast.Expr) and isinstance(
                        statement.value, ast.Constant
                    ):
                        ids.add(id(statement.value))
    return ids


def _exempt(tree: ast.AST) -> set[int]:
    """Strings inside a translation mark, a log call or a documentation keyword."""
    ids: set[int] = set()

    def cover(node: ast.AST) -> None:
        for child in ast.walk(node):
            ids.add(id(child))

    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            owner = func.value if isinstance(func, ast.Attribute) else None
            owner_name = getattr(owner, "id", "") or getattr(owner, "attr", "")
            if name in _MARKS or owner_name in {"logger", "log", "logging", "_log", "LOG"}:
                cover(node)
            for keyword in node.keywords:
                if keyword.arg in _DOC_KEYWORDS:
                    cover(keyword.value)
    return ids


def _unmarked_prose(path: Path) -> list[str]:
    source = path.read_text(encoding="utf-8")
    lines = source.splitlines()
    tree = ast.parse(source)
    skip = _docstrings(tree) | _exempt(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Constant) or not isinstance(node.value, str):
            continue
        if id(node) in skip or not _PROSE.search(node.value):
            continue
        span = lines[node.lineno - 1 : (node.end_lineno or node.lineno)]
        if any(_NOT_SHOWN in line for line in span):
            continue
        found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:70]!r}")
    return found


def test_no_user_facing_english_outside_the_catalogue():
    found = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            found.extend(_unmarked_prose(path))
    assert not found, (
        f"{len(found)} English strings not passed through _() "
        f"(mark a string no user sees with '{_NOT_SHOWN}: why'):\n" + "\n".join(found)
    )


def test_chinese_is_the_default_and_english_is_the_message_id(monkeypatch):
    monkeypatch.delenv("MATCHER_LANG", raising=False)
    message = "unknown language {tag!r}: use one of {known}"
    assert language() == "zh"
    assert _(message) != message and "未知" in _(message)
    with use_language("en"):
        assert _(message) == message
    monkeypatch.setenv("MATCHER_LANG", "en-US")
    assert language() == "en"
    with use_language("zh-CN"):
        assert _(message) == catalogue("zh")[message]


def test_an_unknown_language_is_refused_by_name():
    with pytest.raises(UnknownLanguageError, match="fr"), use_language("fr"):
        pass


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh"),
        ("en-US,en;q=0.9", "en"),
        ("fr-FR, en;q=0.5, zh;q=0.4", "en"),
        ("zh;q=0.3, en;q=0.7", "en"),
        ("*", None),
        ("fr", None),
        ("", None),
        ("en;q=0", None),
        ("garbage;;q=x", None),
    ],
)
def test_accept_language_is_negotiated_by_quality(header, expected):
    assert negotiate(header) == expected


def test_tags_name_the_catalogue_language():
    assert [normalize(t) for t in ("zh_Hans", "ZH-tw", "中文", "en_GB", "de", None)] == [
        "zh",
        "zh",
        "zh",
        "en",
        None,
        None,
    ]
    assert set(LANGUAGES) == {"zh", "en"}


def test_plural_forms_follow_the_language():
    with use_language("en"):
        assert ngettext("{count} volunteer", "{count} volunteers", 1) == "{count} volunteer"
        assert ngettext("{count} volunteer", "{count} volunteers", 2) == "{count} volunteers"
