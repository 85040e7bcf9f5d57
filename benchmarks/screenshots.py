"""``make screenshots``: the coordinators' page with the sample community's roster, as pictures.

Starts the service on a free loopback port with a fresh database, uploads
``datasets/community_a``, solves it (in Chinese, as a coordinator would) and
photographs the roster page in the system's Chromium on a desktop (1280 x 800)
and on a phone (375 x 667) into ``docs/screenshots/``.  Then it publishes the
roster, records what happened for the first team of its last service day
(the sample's dates are past, so the day's arrivals can be recorded), enters
two residents' requests and photographs the day view, the requests and the
ledger on the phone.  Chinese text needs a CJK font on the machine (Debian:
``apt-get install fonts-noto-cjk``); without one the pictures show boxes, so
the script refuses to run.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path
from typing import Any

from benchmarks.browser import ROOT, Server, chromium, serve, wait_for_roster
from tests.api.conftest import csv_files

OUT = ROOT / "docs" / "screenshots"

DEVICES: dict[str, dict[str, Any]] = {
    "desktop": {"viewport": {"width": 1280, "height": 800}, "locale": "zh-CN"},
    "phone": {
        "viewport": {"width": 375, "height": 667},
        "locale": "zh-CN",
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    },
}


def has_chinese_font() -> bool:
    """Whether fontconfig knows a font with Chinese glyphs."""
    if shutil.which("fc-list") is None:
        return False
    listed = subprocess.run(["fc-list", ":lang=zh"], capture_output=True, text=True, check=False)
    return bool(listed.stdout.strip())


def prepare(server: Server) -> tuple[str, int, int]:
    """The sample uploaded and solved: a coordinator's key to sign in with, dataset and roster."""
    with server.client() as http:
        made = http.post("/keys", json={"role": "coordinator", "label": "王老师（社区）"})
        dataset = http.post("/datasets", files=csv_files(), data={"name": "社区A（示例）"})
        started = http.post(
            f"/datasets/{dataset.json()['id']}/rosters",
            json={"params": {"time_limit": 30}},
            headers={"Accept-Language": "zh"},
        )
        job = wait_for_roster(http, started.json()["id"])
        if job["status"] != "done":
            raise RuntimeError(f"the sample's solve ended {job['status']}: {job['error']}")
    return str(made.json()["key"]), int(dataset.json()["id"]), int(job["id"])


ARRIVALS = ("attended", "attended", "late", "no_show")
"""What happened to the first team's members in the pictures, in team order."""


def after_publishing(server: Server, dataset: int, roster: int) -> str:
    """Publish, record the first team of the last day, enter two requests; that day."""
    with server.client() as http:
        http.post(f"/rosters/{roster}/publish").raise_for_status()
        answer = http.get(f"/rosters/{roster}/proposals", params={"limit": 1000}).json()
        dated = [p for p in answer["items"] if p["date"] and p["start"]]
        last = max(p["date"] for p in dated)
        first = min(
            (p for p in dated if p["date"] == last), key=lambda p: (p["start"], p["need_id"])
        )
        team = sorted(
            (p for p in dated if p["need_id"] == first["need_id"]),
            key=lambda p: (p["role"] != "lead", p["volunteer_name"]),
        )
        http.post(f"/proposals/{team[0]['id']}/confirm", json={"note": ""})
        for member, status in zip(team, ARRIVALS, strict=False):
            http.post(f"/proposals/{member['id']}/attendance", json={"status": status})
        wish = http.post(
            f"/datasets/{dataset}/requests",
            json={
                "kind": "micro_wish",
                "title": "帮独居老人修理收音机",
                "category": "micro-wish",
                "household_id": "H001",
                "requester": "示例居民",
                "phone": "000-0000-0001",
                "wanted_date": "2026-09-26",
                "wanted_start": "09:00",
                "wanted_end": "10:00",
            },
        ).json()
        http.post(f"/requests/{wish['id']}/review", json={"accept": True, "note": "社区确认属实"})
        http.post(f"/requests/{wish['id']}/dispatch", json={"priority": 4})
        http.post(
            f"/datasets/{dataset}/requests",
            json={"title": "楼道声控灯不亮", "category": "other", "requester": "示例居民"},
        )
    return str(last)


def photograph(browser: Any, server: Server, key: str, out: Path) -> list[Path]:
    """The roster page on each device: its top, and the grid (desktop) or the gaps (phone)."""
    written = []
    for device, options in DEVICES.items():
        context = browser.new_context(**options)
        page = context.new_page()
        page.goto(f"{server.base}/#plan")
        page.fill("#key-input", key)
        page.keyboard.press("Enter")
        page.locator("#grid table").wait_for(timeout=60_000)
        top = out / f"roster-{device}.png"
        page.screenshot(path=top)
        below = "grid" if device == "desktop" else "gaps"
        page.evaluate(f"document.getElementById('{below}').scrollIntoView()")
        detail = out / f"roster-{below}-{device}.png"
        page.screenshot(path=detail)
        written += [top, detail]
        context.close()
    return written


def photograph_phone_views(
    browser: Any, server: Server, key: str, day: str, out: Path
) -> list[Path]:
    """On the phone: the day view on ``day``, the requests, the ledger's warnings and chart."""
    context = browser.new_context(**DEVICES["phone"])
    page = context.new_page()
    page.goto(f"{server.base}/#day")
    page.fill("#key-input", key)
    page.keyboard.press("Enter")
    page.select_option("#day-date", day)
    page.locator("#day-needs article .badge.att-attended").first.wait_for(timeout=60_000)
    page.evaluate("document.getElementById('day-controls').scrollIntoView()")
    shots = [out / "day-phone.png"]
    page.screenshot(path=shots[-1])
    page.evaluate("location.hash = 'requests'")
    page.locator("#requests article").first.wait_for(timeout=60_000)
    page.evaluate("document.getElementById('requests').scrollIntoView()")
    shots.append(out / "requests-phone.png")
    page.screenshot(path=shots[-1])
    page.evaluate("location.hash = 'ledger'")
    page.locator("#ledger-warnings table").wait_for(timeout=60_000)
    page.wait_for_function("() => document.getElementById('ledger-chart').naturalWidth > 0")
    page.evaluate("document.getElementById('ledger-summary').scrollIntoView()")
    shots.append(out / "ledger-phone.png")
    page.screenshot(path=shots[-1])
    page.evaluate("document.getElementById('departments-title').scrollIntoView()")
    shots.append(out / "ledger-chart-phone.png")
    page.screenshot(path=shots[-1])
    context.close()
    return shots


def main() -> None:
    """Write the screenshots (``--out`` to put them elsewhere)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not has_chinese_font():
        raise SystemExit("no Chinese font: apt-get install fonts-noto-cjk")
    args.out.mkdir(parents=True, exist_ok=True)
    with serve(env={"MATCHER_LANG": "zh"}) as server, chromium() as browser:
        key, dataset, roster = prepare(server)
        written = photograph(browser, server, key, args.out)
        day = after_publishing(server, dataset, roster)
        written += photograph_phone_views(browser, server, key, day, args.out)
        for path in written:
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
