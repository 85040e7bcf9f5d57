"""The coordinators' page end to end: a real server process and the system's headless Chromium.

One server (a fresh SQLite file) and one browser serve the whole module;
each test opens its own browser context (desktop 1280 x 800, or a phone 375
x 667) and records every request the page makes: none may leave 127.0.0.1.
The page is in Chinese by default; the tests read the page's texts from
``/ui/texts`` instead of repeating them.  Each test prepares what it needs
itself (or shares the module's published sample), so the tests can run in any
order and on any xdist worker; a worker that runs some of them starts its own
server and browser (xdist's ``loadgroup`` would keep them on one worker, but
it silently does not group under pytest 9.2, pytest-xdist issue 1386).

Without Chromium (``apt-get install chromium``; ``.ci/run`` installs it) the
tests are skipped, saying so.
"""

from __future__ import annotations

import io
import re
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import openpyxl
import pytest

from benchmarks.browser import Server, chromium, chromium_path, serve, wait_for_roster
from matcher.generate import generate_problem
from matcher.io import write_dataset
from tests.api.conftest import SAMPLE, csv_files

expect = pytest.importorskip("playwright.sync_api", reason="a dev dependency").expect
pytestmark = pytest.mark.skipif(
    chromium_path() is None,
    reason="no system Chromium (apt-get install chromium); CI installs it",
)

DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN"}
PHONE = {
    "viewport": {"width": 375, "height": 667},
    "locale": "zh-CN",
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
WAIT = 30_000  # ms: a solve of the sample takes about a second


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    with serve() as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as running:
        yield running


@pytest.fixture(scope="module")
def zh(server: Server) -> dict[str, Any]:
    """The page's Chinese texts and labels, as the page reads them."""
    return httpx.get(f"{server.base}/ui/texts", params={"lang": "zh"}).json()


def _outside(url: str) -> bool:
    """Whether a request leaves this machine's loopback address."""
    if url.startswith(("data:", "about:")):
        return False
    if url.startswith("blob:"):
        url = url[len("blob:") :]
    return urllib.parse.urlsplit(url).hostname != "127.0.0.1"


@pytest.fixture
def open_page(browser: Any, server: Server) -> Iterator[Callable[..., Any]]:
    """Opens pages in fresh contexts; afterwards, asserts none requested another host."""
    requests: list[str] = []
    errors: list[str] = []
    contexts: list[Any] = []

    def opener(device: dict[str, Any] = DESKTOP, path: str = "/") -> Any:
        context = browser.new_context(**device)
        context.on("request", lambda request: requests.append(request.url))
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.set_default_timeout(WAIT)
        page.goto(server.base + path)
        return page

    yield opener
    for context in contexts:
        context.close()
    assert requests, "the page made no request at all"
    assert [url for url in requests if _outside(url)] == []
    assert errors == [], "script errors on the page"


def sign_in(page: Any, key: str, tab: str = "") -> None:
    if tab:
        page.evaluate(f"location.hash = '{tab}'")
    page.fill("#key-input", key)
    page.keyboard.press("Enter")
    page.wait_for_selector("#nav:not([hidden])")


def no_horizontal_scroll(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], width


@pytest.fixture(scope="module")
def published(server: Server) -> tuple[int, int]:
    """The sample uploaded, solved and published through the API: dataset and roster ids.

    The tests that use it each answer other proposals, so they can share it.
    """
    with server.client() as http:
        dataset = http.post("/datasets", files=csv_files(), data={"name": "社区A"}).json()["id"]
        # the explanations are written in the language of the request that starts the solve
        started = http.post(
            f"/datasets/{dataset}/rosters",
            json={"params": {"time_limit": 20}},
            headers={"Accept-Language": "zh"},
        )
        roster = started.json()["id"]
        assert wait_for_roster(http, roster)["status"] == "done"
        assert http.post(f"/rosters/{roster}/publish").status_code == 200
    return dataset, roster


def test_sign_in_upload_errors_by_row_and_browse(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any]
) -> None:
    texts = zh["texts"]
    page = open_page()
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    # a wrong key is refused, in Chinese, and nothing is kept
    page.fill("#key-input", "mk_00000000_wrong")
    page.keyboard.press("Enter")
    assert "密钥" in page.get_by_role("alert").inner_text()
    assert page.evaluate("sessionStorage.length") == 0
    sign_in(page, server.admin_key)
    # the key stays in this tab's session, never in the address
    assert page.evaluate("sessionStorage.getItem('matcher.key')") == server.admin_key
    assert server.admin_key not in page.url

    # a volunteer file with a word where a number belongs: a table of file, row, column
    broken = (SAMPLE / "volunteers.csv").read_bytes().replace(b"male,2,6,", b"male,two,6,", 1)
    files = [
        {"name": path.name, "mimeType": "text/csv", "buffer": path.read_bytes()}
        for path in sorted(SAMPLE.glob("*.csv"))
        if path.name != "volunteers.csv"
    ]
    bad = {"name": "volunteers.csv", "mimeType": "text/csv", "buffer": broken}
    with server.client() as http:
        stored = http.get("/datasets").json()
    page.set_input_files("#upload-files", [*files, bad])
    page.get_by_role("button", name=texts["upload"], exact=True).click()
    errors = page.locator("#upload-errors table")
    errors.wait_for()
    row = errors.locator("tbody tr").first
    cells = [row.locator("td").nth(i).inner_text() for i in range(4)]
    assert cells[0] == "volunteers.csv"
    assert cells[1] == "2"  # the first volunteer's line under the header
    assert cells[2] == "max_shifts"
    assert cells[3]  # the reader's message, in Chinese
    with server.client() as http:
        assert http.get("/datasets").json() == stored  # nothing was stored

    # the sample itself is stored, and its volunteers can be browsed and filtered
    page.set_input_files(
        "#upload-files",
        [
            {"name": p.name, "mimeType": "text/csv", "buffer": p.read_bytes()}
            for p in sorted(SAMPLE.glob("*.csv"))
        ],
    )
    page.fill("#upload-name", "社区A 上传")
    page.get_by_role("button", name=texts["upload"], exact=True).click()
    page.locator("#upload-result .success").wait_for()
    assert "社区A 上传" in page.locator("#dataset-choice").inner_text()
    browse = page.locator("#browse table.cards tbody tr")
    expect(browse).to_have_count(200)
    page.fill("#browse-filter", "V0002")
    expect(browse).to_have_count(1)
    expect(browse).to_contain_text("李林宇")
    expect(browse).to_contain_text("中共党员")  # membership in words, not its code
    page.select_option("#browse-kind", "needs")
    expect(page.locator("#browse thead")).to_contain_text(texts["title"])
    page.fill("#browse-filter", "手语")
    expect(browse).to_have_count(1)
    expect(browse).to_contain_text("N033")
    # the empty template is one click away
    with page.expect_download() as download:
        page.get_by_role("link", name=texts["download_template"]).click()
    assert download.value.suggested_filename == "template.xlsx"


def test_solve_grid_unmet_reasons_filters_export_and_publish(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any]
) -> None:
    texts = zh["texts"]
    with server.client() as http:
        dataset = http.post("/datasets", files=csv_files(), data={"name": "排班测试"}).json()["id"]
    page = open_page()
    sign_in(page, server.admin_key, "plan")
    page.select_option("#dataset-choice", str(dataset))
    # a solve of the whole horizon, started on the page
    assert page.locator("#solve-from").input_value() == "2026-09-19"
    page.get_by_role("button", name=texts["start_solve"]).click()
    page.locator("#grid table").wait_for()
    roster_id = int(page.locator("#roster-choice").input_value())
    with server.client() as http:
        job = http.get(f"/rosters/{roster_id}").json()
        explain = http.get(f"/rosters/{roster_id}/explain").json()
    assert job["status"] == "done"

    # the headline counts what the roster staffed
    staffed = sum(p["staffed"] for p in job["summary"]["coverage_by_priority"].values())
    assert f"{staffed}/60" in page.locator("#headline").inner_text()
    # the grid: a column per service day, each need with its team and badges
    grid = page.locator("#grid table")
    assert grid.locator("thead th").count() == 1 + 4  # the time column and four service days
    assert "中秋节" in grid.locator("thead").inner_text()
    first = job["roster"][0]
    card = page.locator(f'#grid article[data-need="{first["need_id"]}"]')
    assert first["volunteer_name"] in card.inner_text()
    lead = next(r for r in job["roster"] if r["role"] == "lead")
    lead_card = page.locator(f'#grid article[data-need="{lead["need_id"]}"]')
    assert texts["badge_lead"] in lead_card.locator(".badge.lead").first.inner_text()
    assert page.locator("#grid .badge.party").count() > 0

    # every unmet need is highlighted with its reasons and the nearest volunteers to ask
    unmet = explain["unmet_needs"][0]
    gap = page.locator(f'#gaps article.unmet[data-need="{unmet["need_id"]}"]')
    assert unmet["reasons"][0]["message"] in gap.inner_text()
    ask = unmet["candidates"][0]
    assert f"{ask['name']} {ask['volunteer_id']}" in gap.locator("ul.ask li").first.inner_text()
    assert page.locator("#gaps article").count() == len(explain["unmet_needs"]) + len(
        explain["short_needs"]
    )

    # filters: by staffing, by category, and a volunteer found by name
    page.select_option("#filter-staffing", "unmet")
    assert page.locator("#grid article").count() == len(explain["unmet_needs"])
    page.select_option("#filter-staffing", "")
    page.select_option("#filter-category", "haircut")
    haircuts = page.locator("#grid article").all_inner_texts()
    assert haircuts and all(zh["labels"]["need_category"]["haircut"] in a for a in haircuts)
    page.select_option("#filter-category", "")
    page.fill("#volunteer-search", lead["volunteer_name"])
    marked = page.locator("#grid article mark")
    assert marked.first.inner_text() == lead["volunteer_name"]
    page.fill("#volunteer-search", "")

    # downloads go through the API with the key: the workbook holds the roster
    with page.expect_download() as download:
        page.get_by_role("button", name=texts["export_xlsx"]).click()
    assert download.value.suggested_filename == f"roster-{roster_id}.xlsx"
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert len(list(book.active.iter_rows())) == len(job["roster"]) + 1
    page.get_by_role("button", name=texts["show_group_chat"]).click()
    expect(page.locator("#chat-text")).to_have_value(re.compile("^【9月19日"))

    # publish, after saying what it does
    page.click("#publish-start")
    page.click("#publish-yes")
    page.locator("#publish .success").wait_for()
    with server.client() as http:
        assert http.get(f"/rosters/{roster_id}").json()["published_at"] is not None


def test_progress_and_stop_keep_the_best_roster_found(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any], tmp_path: Path
) -> None:
    # a synthetic community whose solve runs about 20 s: long enough to watch and stop
    write_dataset(generate_problem(600, 200, seed=3), tmp_path / "big")
    with server.client() as http:
        dataset = http.post("/datasets", files=csv_files(tmp_path / "big"), data={"name": "大社区"})
        dataset_id = dataset.json()["id"]
    page = open_page()
    sign_in(page, server.admin_key, "plan")
    page.select_option("#dataset-choice", str(dataset_id))
    page.fill("#solve-limit", "120")
    page.get_by_role("button", name=zh["texts"]["start_solve"]).click()
    progress = page.locator(".progress")
    expect(progress).to_contain_text(zh["labels"]["job_status"]["running"])
    expect(progress).to_contain_text(zh["texts"]["best_value"])
    page.click("#solve-stop")
    page.locator("#grid table").wait_for()
    roster_id = int(page.locator("#roster-choice").input_value())
    with server.client() as http:
        job = http.get(f"/rosters/{roster_id}").json()
    assert job["status"] == "stopped"
    assert job["summary"]["runtime"] < 60  # stopped, not run to its limit
    # the stopped roster is a roster like any other: its headline and grid
    assert zh["labels"]["job_status"]["stopped"] in page.locator("#roster-choice").inner_text()
    assert page.locator("#grid article").count() > 0


def test_a_volunteer_confirms_through_their_link_on_a_phone(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any], published: tuple[int, int]
) -> None:
    texts = zh["texts"]
    dataset, roster = published
    page = open_page(PHONE)
    sign_in(page, server.admin_key, "answers")
    page.select_option("#dataset-choice", str(dataset))
    page.locator("#proposals table").wait_for()
    no_horizontal_scroll(page)
    with server.client() as http:
        proposals = http.get(f"/rosters/{roster}/proposals").json()["items"]
    first = proposals[0]
    assert page.locator("#proposals tbody tr").count() == len(proposals)
    # the coordinator makes the volunteer's personal link on the page
    page.fill("#answers-search", first["volunteer_id"])
    row = page.locator(f'[data-proposal="{first["id"]}"]')
    row.get_by_role(
        "button", name=texts["personal_link_for"].format(name=first["volunteer_name"])
    ).click()
    link = row.locator("a.personal-link")
    href = link.get_attribute("href")
    assert href.startswith("/me/")

    # the volunteer opens it on their phone and confirms
    phone = open_page(PHONE, href)
    no_horizontal_scroll(phone)
    card = phone.locator("section.card", has_text=first["need_title"]).first
    card.locator("button.yes").click()
    phone.locator("p.notice").wait_for()
    assert phone.locator(".state.confirmed").count() >= 1

    # the coordinator sees it confirmed
    page.reload()
    page.locator("#proposals table").wait_for()
    page.fill("#answers-search", first["volunteer_id"])
    row = page.locator("#proposals tbody tr", has=page.locator(f'[data-proposal="{first["id"]}"]'))
    assert zh["labels"]["proposal_state"]["confirmed"] in row.inner_text()


def test_a_decline_recorded_and_replaced_from_the_ranked_candidates(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any], published: tuple[int, int]
) -> None:
    texts = zh["texts"]
    dataset, roster = published
    with server.client() as http:
        proposals = http.get(f"/rosters/{roster}/proposals").json()["items"]
    # the last one: the confirming test answers the first
    declined = next(p for p in reversed(proposals) if p["date"] and p["role"] == "member")
    page = open_page()
    sign_in(page, server.admin_key, "answers")
    page.select_option("#dataset-choice", str(dataset))
    page.locator("#proposals table").wait_for()
    page.fill("#answers-search", declined["volunteer_id"])
    who = f"{declined['volunteer_name']} {declined['need_title']}"
    actions = page.locator(f'[data-proposal="{declined["id"]}"]')
    # the buttons are named for a screen reader with whom and what they record
    actions.get_by_role("button", name=texts["record_decline_for"].format(who=who)).click()
    page.locator("#toast").filter(has_text=declined["volunteer_name"]).wait_for()
    actions = page.locator(f'[data-proposal="{declined["id"]}"]')
    actions.get_by_role("button", name=texts["find_replacement_for"].format(who=who)).click()
    candidates = actions.locator("ol.candidates > li")
    candidates.first.wait_for()
    with server.client() as http:
        ranked = http.get(f"/proposals/{declined['id']}/replacements").json()["candidates"]
    assert ranked[0]["name"] in candidates.first.inner_text()
    # each candidate's last service and how often they were asked lately
    asked = texts["asked_recently"].format(count=ranked[0]["asked_recently"])
    assert asked in candidates.first.inner_text()
    candidates.first.get_by_role("button").click()
    page.locator("#toast").filter(has_text=ranked[0]["name"]).wait_for()
    with server.client() as http:
        states = {p["id"]: p for p in http.get(f"/rosters/{roster}/proposals").json()["items"]}
    assert states[declined["id"]]["state"] == "replaced"
    offered = [p for p in states.values() if p["replaces_id"] == declined["id"]]
    assert [p["volunteer_id"] for p in offered] == [ranked[0]["volunteer_id"]]


def test_the_roster_on_a_phone_and_the_english_switch(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any], published: tuple[int, int]
) -> None:
    dataset, _roster = published
    page = open_page(PHONE)
    sign_in(page, server.admin_key, "plan")
    page.select_option("#dataset-choice", str(dataset))
    page.locator("#grid table").wait_for()
    no_horizontal_scroll(page)
    assert zh["texts"]["tab_plan"] in page.locator("#nav").inner_text()
    unmet = page.locator("#gaps article.unmet").first
    assert "没有" in unmet.inner_text() or "没空" in unmet.inner_text()

    # English: the page's texts switch, and so do the API's answers (sent Accept-Language)
    page.click("#lang")
    # waits on what changes (the old grid stays until the English one replaces it)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#nav")).to_contain_text("Roster")
    expect(page.locator("#headline")).to_contain_text("Needs staffed")
    page.locator("#grid table").wait_for()
    no_horizontal_scroll(page)
    page.click("#tab-answers")
    page.locator("#proposals table").wait_for()
    assert "proposed" in page.locator("#proposals .badge.proposed").first.inner_text()
    # the choice is remembered on a reload, the key too (same tab)
    page.reload()
    page.locator("#proposals table").wait_for()
    assert page.locator("#signout").inner_text() == "Sign out"
    page.click("#lang")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.locator("#proposals .badge.proposed").first).to_contain_text("待确认")


def test_an_admin_makes_and_revokes_keys_and_a_viewer_only_reads(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any]
) -> None:
    texts = zh["texts"]
    page = open_page()
    sign_in(page, server.admin_key, "keys")
    page.select_option("#key-role", "viewer")
    page.fill("#key-label", "区委组织部")
    page.get_by_role("button", name=texts["make_key"]).click()
    made = page.locator("#new-key")
    made.wait_for()
    viewer_key = made.inner_text().strip()
    assert viewer_key.startswith("mk_")

    # the viewer signs in elsewhere: no keys tab, no upload, no solve
    viewer = open_page()
    sign_in(viewer, viewer_key)
    assert viewer.locator("#tab-keys").count() == 0
    assert viewer.locator("#upload-files").count() == 0
    viewer.click("#tab-plan")
    viewer.locator("main h2").first.wait_for()
    assert viewer.locator("#solve-start").count() == 0

    # revoked on the admin's page, the viewer's next request signs them out
    page.get_by_role("button", name=texts["revoke_key"].format(label="区委组织部")).click()
    page.locator("#toast").filter(has_text="区委组织部").wait_for()
    viewer.reload()
    viewer.locator("#key-input").wait_for()
    assert viewer.evaluate("sessionStorage.getItem('matcher.key')") is None


def test_a_micro_wish_entered_reviewed_and_dispatched_on_a_phone(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any]
) -> None:
    texts, labels = zh["texts"], zh["labels"]
    with server.client() as http:
        dataset = http.post("/datasets", files=csv_files(), data={"name": "点单测试"}).json()["id"]
    page = open_page(PHONE)
    sign_in(page, server.admin_key, "requests")
    page.select_option("#dataset-choice", str(dataset))
    page.locator("#request-submit").wait_for()  # nothing entered yet: the form is open
    # without a title the API refuses it; its words stand under the field, in Chinese
    page.click("#request-submit")
    expect(page.locator("#request-title-error")).to_be_visible()
    assert page.locator("#request-title").get_attribute("aria-invalid") == "true"
    assert re.search(r"[\u4e00-\u9fff]", page.locator("#request-title-error").inner_text())
    expect(page.locator("#request-problems")).to_contain_text(texts["form_problems"])
    with server.client() as http:
        assert http.get(f"/datasets/{dataset}/requests").json()["total"] == 0

    title = "帮独居老人修理收音机"
    page.select_option("#request-kind", "micro_wish")
    page.fill("#request-title", title)
    page.select_option("#request-household", "H001")
    page.fill("#request-date", "2026-09-26")
    page.fill("#request-start", "09:00")
    page.fill("#request-end", "10:00")
    page.fill("#request-requester", "示例居民")
    page.click("#request-submit")
    card = page.locator("#requests article", has_text=title)
    expect(card.locator(".badge.req-submitted")).to_have_text(labels["request_state"]["submitted"])
    expect(card).to_contain_text(labels["request_kind"]["micro_wish"])
    assert page.locator("#request-title-error").is_hidden()
    no_horizontal_scroll(page)

    # 审核: taken up
    card.get_by_role(
        "button", name=texts["accept_request_for"].format(title=title), exact=True
    ).click()
    expect(card.locator(".badge.req-accepted")).to_be_visible()
    rid = int(card.get_attribute("data-request"))
    # 派单: a date outside the dataset's dates is refused next to the date field
    card.get_by_role("button", name=texts["dispatch_for"].format(title=title), exact=True).click()
    page.fill(f"#dispatch-date-{rid}", "2026-12-31")
    page.click(f"#dispatch-submit-{rid}")
    expect(page.locator(f"#dispatch-date-{rid}-error")).to_contain_text("2026-09-19")
    page.fill(f"#dispatch-date-{rid}", "2026-09-26")
    page.select_option(f"#dispatch-priority-{rid}", "4")
    page.click(f"#dispatch-submit-{rid}")
    expect(card.locator(".badge.req-dispatched")).to_have_text(
        labels["request_state"]["dispatched"]
    )
    expect(card).to_contain_text(f"R{rid:04d}")
    # the list by state: the dispatched one alone
    page.click('#requests button[data-state="dispatched"]')
    expect(page.locator("#requests article")).to_have_count(1)
    with server.client() as http:
        need = http.get(f"/datasets/{dataset}/needs/R{rid:04d}").json()
    assert (need["date"], need["start"], need["priority"], need["household_id"]) == (
        "2026-09-26",
        "09:00",
        4,
        "H001",
    )

    # rated meanwhile in another tab: dispatching again is refused (409), and the card
    # says so in the API's words over where the request stands now
    with server.client() as http:
        assert http.post(f"/requests/{rid}/rate", json={"rating": 5}).status_code == 200
    card.get_by_role("button", name=texts["dispatch_for"].format(title=title), exact=True).click()
    page.click(f"#dispatch-submit-{rid}")
    closed = labels["request_state"]["closed"]
    expect(card.locator(".conflict")).to_contain_text(closed)
    expect(card.locator(".badge.req-closed")).to_have_text(closed)
    expect(card).to_contain_text(texts["rating_value"].format(value=5))


def test_arrivals_marked_and_corrected_on_the_day_view(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any], published: tuple[int, int]
) -> None:
    texts, labels = zh["texts"], zh["labels"]
    dataset, roster = published
    with server.client() as http:
        proposals = http.get(f"/rosters/{roster}/proposals", params={"limit": 1000}).json()
    proposals = proposals["items"]
    # a need the other tests of the shared roster leave alone (they answer the first
    # proposal and decline the last dated member)
    declined = next(p for p in reversed(proposals) if p["date"] and p["role"] == "member")
    avoid = {proposals[0]["need_id"], declined["need_id"]}
    led = {p["need_id"] for p in proposals if p["role"] == "lead"}
    member = next(
        p
        for p in proposals
        if p["date"]
        and p["need_id"] in led - avoid
        and p["state"] == "proposed"
        and p["role"] == "member"
    )
    team = [
        p
        for p in proposals
        if p["need_id"] == member["need_id"] and p["state"] in ("proposed", "confirmed")
    ]
    confirmed = sum(p["state"] == "confirmed" for p in team)

    def tally(arrived: int, absent: int) -> str:
        return texts["tally"].format(
            due=len(team), confirmed=confirmed, arrived=arrived, absent=absent
        )

    page = open_page(PHONE)
    sign_in(page, server.admin_key, "day")
    page.select_option("#dataset-choice", str(dataset))
    page.select_option("#day-date", member["date"])
    card = page.locator(f'#day-needs article[data-need="{member["need_id"]}"]')
    expect(card.locator(".tally")).to_have_text(tally(0, 0))
    # the sample's days are past: nobody is due in the next 30 minutes
    expect(page.locator("#due")).to_contain_text(texts["nobody_due"])
    no_horizontal_scroll(page)

    # one tap: arrived
    attended = labels["attendance_status"]["attended"]
    row = card.locator(f'li[data-proposal="{member["id"]}"]')
    row.get_by_role(
        "button",
        name=texts["mark_as"].format(name=member["volunteer_name"], status=attended),
        exact=True,
    ).click()
    expect(card.locator(".tally")).to_have_text(tally(1, 0))
    expect(row.locator(".badge.att-attended")).to_have_text(attended)

    # a different tap is a correction: it asks why, and the API wants a reason
    absent = labels["attendance_status"]["no_show"]
    name = texts["correct_to"].format(name=member["volunteer_name"], status=absent)
    row.locator(".marks").get_by_role("button", name=name, exact=True).click()
    row.locator("form button[type=submit]").click()
    expect(page.locator(f"#reason-{member['id']}-error")).to_be_visible()
    page.fill(f"#reason-{member['id']}", "记错了人")
    row.locator("form button[type=submit]").click()
    expect(card.locator(".tally")).to_have_text(tally(0, 1))
    with server.client() as http:
        ledger = http.get(f"/rosters/{roster}/attendance", params={"need_id": member["need_id"]})
    [item] = [i for i in ledger.json() if i["proposal_id"] == member["id"]]
    assert item["current"]["status"] == "no_show" and item["current"]["reason"] == "记错了人"
    assert [e["status"] for e in item["superseded"]] == ["attended"]

    # the team lead's own link shows their team with the same buttons
    lead = next(p for p in team if p["role"] == "lead")
    card.get_by_role(
        "button", name=texts["lead_link_for"].format(name=lead["volunteer_name"]), exact=True
    ).click()
    assert card.locator("a.personal-link").get_attribute("href").startswith("/me/")
    # in English, the tally too
    page.click("#lang")
    expect(card.locator(".tally")).to_have_text(
        f"Due {len(team)} · confirmed {confirmed} · arrived 0 · no-show 1"
    )


def test_the_ledger_warnings_chart_workbook_and_certificate(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any], published: tuple[int, int]
) -> None:
    texts = zh["texts"]
    dataset, _roster = published
    with server.client() as http:
        answer = http.get(f"/datasets/{dataset}/ledger").json()
    tables = {t["name"]: t for t in answer["tables"]}
    warnings = tables["warnings"]
    name_at = [c["key"] for c in warnings["columns"]].index("name")
    page = open_page()
    sign_in(page, server.admin_key, "ledger")
    page.select_option("#dataset-choice", str(dataset))
    shown = page.locator("#ledger-warnings tbody tr")
    expect(shown).to_have_count(min(20, len(warnings["rows"])))
    assert warnings["rows"][0][name_at] in shown.first.inner_text()
    expect(page.locator("#warnings-title")).to_have_text(
        texts["warnings_title"].format(count=answer["warned"])
    )
    if len(warnings["rows"]) > 20:
        page.get_by_role(
            "button", name=texts["show_all_rows"].format(count=len(warnings["rows"]))
        ).click()
        expect(shown).to_have_count(len(warnings["rows"]))
    expect(page.locator("#ledger-departments tbody tr")).to_have_count(
        len(tables["departments"]["rows"])
    )
    # the department chart: fetched with the key, shown from a blob URL
    page.wait_for_function(
        "() => { const i = document.getElementById('ledger-chart');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert page.locator("#ledger-chart").get_attribute("src").startswith("blob:")

    # the workbook and a volunteer's certificate, downloaded through the API
    with page.expect_download() as download:
        page.click("#ledger-download")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert warnings["title"] in book.sheetnames
    with page.expect_download() as download:
        page.locator("#ledger-ranking button.certificate").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # a period: from after to is refused next to the picker; a right one narrows the ledger
    page.fill("#ledger-from", "2026-09-30")
    page.fill("#ledger-to", "2026-09-01")
    page.click("#ledger-show")
    expect(page.locator("#ledger-period-title ~ .error")).to_contain_text("2026-09-30")
    page.fill("#ledger-from", "2026-09-01")
    page.fill("#ledger-to", "2026-09-30")
    page.click("#ledger-show")
    expect(page.locator("#ledger-summary")).to_contain_text("2026-09-30")
    # and on a phone, without sideways scrolling
    page.set_viewport_size({"width": 375, "height": 667})
    no_horizontal_scroll(page)


def test_what_if_mistakes_by_place_then_the_comparison_chart_and_workbook(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any], published: tuple[int, int]
) -> None:
    texts = zh["texts"]
    dataset, _roster = published
    page = open_page()
    sign_in(page, server.admin_key, "whatif")
    page.select_option("#dataset-choice", str(dataset))
    scenarios = page.locator("#whatif-toml")
    # the example to edit: a fifth of the volunteers missing, one whole department away
    expect(scenarios).to_have_value(re.compile(r"share = 0\.2"))
    assert texts["whatif_example_noshow"] in scenarios.input_value()
    assert "remove = { department = " in scenarios.input_value()

    # a mistake is named by its place in the text, next to the text area
    scenarios.fill('[[scenarios]]\nname = "太多"\nremove = { share = 2 }\n')
    page.click("#whatif-start")
    expect(page.locator("#whatif-mistakes code")).to_have_text("scenarios[0].remove.share")
    assert scenarios.get_attribute("aria-invalid") == "true"

    # the example again, with a short time limit: base and two scenarios side by side
    page.click("#whatif-example")
    expect(page.locator("#whatif-mistakes")).to_be_hidden()
    page.fill("#whatif-time-limit", "2")
    page.click("#whatif-start")
    rows = page.locator("#whatif-table tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("基准")  # the base first, named in Chinese
    expect(rows.nth(1)).to_contain_text(texts["whatif_example_noshow"])
    expect(rows.nth(1)).to_contain_text(zh["labels"]["whatif_state"]["ok"])
    # who would have to be told, and why needs stay uncovered
    assert page.locator("#whatif-changes details").count() == 2
    page.locator("#whatif-changes summary").first.click()
    expect(page.locator("#whatif-changes-0 li").first).to_be_visible()
    page.locator("#whatif-unmet summary").first.click()
    expect(page.locator("#whatif-unmet-0 .unmet-list > li").first).to_contain_text("N033")

    # the chart: fetched with the key, shown from a blob URL
    page.wait_for_function(
        "() => { const i = document.getElementById('whatif-chart');"
        " return i && i.complete && i.naturalWidth > 0; }"
    )
    assert page.locator("#whatif-chart").get_attribute("src").startswith("blob:")
    with page.expect_download() as download:
        page.click("#whatif-download")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.worksheets[0]["A2"].value == "基准"
    # on a phone: the runs as cards, without sideways scrolling
    page.set_viewport_size({"width": 375, "height": 667})
    no_horizontal_scroll(page)


def test_pairing_pairs_unpaired_with_whom_to_ask_and_a_second_run_keeping_them(
    open_page: Callable[..., Any], server: Server, zh: dict[str, Any], published: tuple[int, int]
) -> None:
    texts = zh["texts"]
    dataset, _roster = published
    page = open_page(PHONE)
    sign_in(page, server.admin_key, "pairing")
    page.select_option("#dataset-choice", str(dataset))
    page.fill("#pairing-time-limit", "2")
    page.click("#pairing-start")
    pairs = page.locator("#pairing-pairs-table tbody tr")
    pairs.first.wait_for()
    with server.client() as http:
        run = http.get(f"/pairings/{_last_pairing(page)}").json()
    expect(pairs).to_have_count(len(run["pairs"]))
    first = run["pairs"][0]
    expect(pairs.first).to_contain_text(first["primary_name"])
    expect(pairs.first).to_contain_text(first["backup_name"])
    # the sample's household needing sign language: why, and whom to ask
    deaf = page.locator('#pairing-unpaired li[data-household="H017"]')
    [reason] = [u for u in run["unpaired"] if u["household_id"] == "H017"]
    expect(deaf.locator(".why")).to_have_text(reason["reason"])
    expect(deaf.locator(".candidates li").first).to_have_text(reason["nearest"].split("；")[0])
    expect(page.locator("#pairing-changes")).to_contain_text(texts["first_pairing"])
    # continuity over the term: one row per paired household, the primary's share of visits
    continuity = page.locator("#pairing-continuity tbody tr")
    expect(continuity).to_have_count(len(run["continuity"]))
    no_horizontal_scroll(page)

    # again: the last pairing is kept, so nothing changes and the page says so
    page.click("#pairing-start")
    expect(page.locator("#pairing-summary-title")).to_have_text(
        texts["pairing_result"].format(id=run["id"] + 1)
    )
    expect(page.locator("#pairing-changes")).to_contain_text(texts["no_pairing_changes"])
    with page.expect_download() as download:
        page.click("#pairing-download")
    book = openpyxl.load_workbook(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert book.active is not None and book.active.max_row == len(run["pairs"]) + 1

    # a new tab shows the pairing in place: the dataset's latest run, from the API's list
    page = open_page(PHONE)
    sign_in(page, server.admin_key, "pairing")
    page.select_option("#dataset-choice", str(dataset))
    expect(page.locator("#pairing-summary-title")).to_have_text(
        texts["pairing_result"].format(id=run["id"] + 1)
    )


def _last_pairing(page: Any) -> int:
    """The pairing run the page shows, from its heading."""
    title = page.locator("#pairing-summary-title").inner_text()
    return int(re.search(r"#(\d+)", title).group(1))  # type: ignore[union-attr]
