"""The page's own routes in process: the files, the texts, the signed-in key, the template."""

from __future__ import annotations

import io
import re
from pathlib import Path

import openpyxl
import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient

from api.store.models import RequestState
from api.web.texts import LABELS, TEXTS
from matcher.attendance import AttendanceStatus
from matcher.domain import HouseholdCategory, Membership, NeedCategory, Role
from matcher.i18n import LOCALES
from tests.api.conftest import headers

STATIC = Path(__file__).resolve().parents[2] / "api" / "web" / "static"
SCRIPT = "\n".join(path.read_text(encoding="utf-8") for path in sorted(STATIC.glob("*.js")))


def test_the_page_and_its_files_come_from_the_service_alone(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    # the browser itself refuses anything from another host
    policy = page.headers["content-security-policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert "/ui/static/app.js" in sources and "/ui/static/app.css" in sources
    assert [s for s in sources if re.match(r"(?:https?:)?//", s)] == []
    for source in sources:
        if source.startswith("/ui/"):
            asset = client.get(source)
            assert asset.status_code == 200, source
            assert len(asset.content) > 1000, source
    assert "https://" not in SCRIPT and "http://" not in SCRIPT
    # every module the page imports is one of the files served
    imported = set(re.findall(r'from "\./([a-z]+\.js)"', SCRIPT))
    assert imported == {p.name for p in STATIC.glob("*.js")} - {"app.js"}
    for name in imported:
        assert client.get(f"/ui/static/{name}").status_code == 200, name


@pytest.mark.parametrize("name", ["index.html", "..%2Fpage.py", "texts.py", "app.js.map"])
def test_only_the_pages_own_files_are_served(client: TestClient, name: str) -> None:
    # index.html is served at / only; nothing else of the package is reachable
    assert client.get(f"/ui/static/{name}").status_code == 404


def test_texts_come_in_the_chosen_language(client: TestClient) -> None:
    zh = client.get("/ui/texts", params={"lang": "zh"}).json()
    en = client.get("/ui/texts", params={"lang": "en"}).json()
    assert set(zh["texts"]) == set(en["texts"]) == set(TEXTS)
    assert zh["texts"]["sign_in"] == "登录" and en["texts"]["sign_in"] == "Sign in"
    assert zh["texts"]["badge_lead"] == "带队" and zh["texts"]["badge_party"] == "党员"
    assert zh["labels"]["need_category"]["micro-wish"] == "微心愿"
    assert zh["labels"]["proposal_state"]["declined"] == "已婉拒"
    assert zh["labels"]["request_state"]["dispatched"] == "已派单"
    assert zh["labels"]["attendance_status"]["no_show"] == "缺席"
    assert zh["texts"]["tab_ledger"] == "积分台账" and en["texts"]["tab_day"] == "On the day"
    # placeholders survive the translation, for the page to fill
    assert "{name}" in zh["texts"]["plan_title"]
    # without lang: the request's language, as every answer of the API
    asked = client.get("/ui/texts", headers={"Accept-Language": "zh-CN,zh;q=0.9"}).json()
    assert asked["lang"] == "zh" and asked["texts"] == zh["texts"]
    assert client.get("/ui/texts", params={"lang": "fr"}).status_code == 422


def test_every_text_the_script_names_exists_and_every_text_is_used() -> None:
    named = set(re.findall(r'\bt\("([a-z_0-9]+)"', SCRIPT))
    assert named - set(TEXTS) == set(), "texts the page asks for but texts.py lacks"
    assert set(TEXTS) - named == set(), "texts in texts.py the page never shows"
    kinds = set(re.findall(r'\blabel\("([a-z_]+)"', SCRIPT))
    assert kinds and kinds <= set(LABELS)


def test_the_labels_name_every_code_of_the_domain() -> None:
    for kind, codes in (
        ("need_category", NeedCategory),
        ("household_category", HouseholdCategory),
        ("membership", Membership),
        ("volunteer_role", Role),
        ("request_state", RequestState),
        ("attendance_status", AttendanceStatus),
    ):
        assert {str(code) for code in LABELS[kind]} == {c.value for c in codes}, kind


def test_no_message_is_translated_in_two_catalogue_files() -> None:
    # catalogue files are read in name order and a later one wins: a second
    # translation of an id (a fragment merged twice, a page text that repeats a
    # service message) would silently replace the first
    folder = LOCALES / "zh" / "LC_MESSAGES"
    seen: dict[str, str] = {}
    twice = []
    for path in sorted(folder.glob("*.po")):
        for message in read_po(path.open("rb")):
            if message.id and str(message.id) in seen:
                twice.append((str(message.id), seen[str(message.id)], path.name))
            elif message.id:
                seen[str(message.id)] = path.name
    assert twice == []


def test_the_signed_in_key_tells_its_role(client: TestClient, keys: dict[str, str]) -> None:
    for role, key in keys.items():
        answer = client.get("/ui/key", headers={**headers(key), "Accept-Language": "zh"})
        assert answer.status_code == 200
        assert answer.json()["role"] == role
        assert answer.json()["role_name"] in ("查看者", "协调员", "管理员")
        assert "key" not in answer.json() and "key_hash" not in answer.json()
    assert client.get("/ui/key").status_code == 401
    assert client.get("/ui/key", headers=headers("mk_00000000_nothing")).status_code == 401


def test_the_template_is_the_workbook_to_fill_in(client: TestClient) -> None:
    answer = client.get("/ui/template.xlsx")
    assert answer.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(answer.content), read_only=True)
    assert book.sheetnames[0] == "说明"
    assert {"志愿者", "需求"} <= set(book.sheetnames)
