"""``make screenshots``: the coordinators' page with the sample community's roster, as pictures.

Starts the service on a free loopback port with a fresh database, uploads
``datasets/community_a``, solves it (in Chinese, as a coordinator would) and
photographs the roster page in the system's Chromium on a desktop (1280 x 800)
and on a phone (375 x 667) into ``docs/screenshots/``.  Chinese text needs a
CJK font on the machine (Debian: ``apt-get install fonts-noto-cjk``); without
one the pictures show boxes, so the script refuses to run.
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


def prepare(server: Server) -> str:
    """The sample uploaded and solved; a coordinator's key to sign in with."""
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
    return str(made.json()["key"])


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


def main() -> None:
    """Write the screenshots (``--out`` to put them elsewhere)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not has_chinese_font():
        raise SystemExit("no Chinese font: apt-get install fonts-noto-cjk")
    args.out.mkdir(parents=True, exist_ok=True)
    with serve(env={"MATCHER_LANG": "zh"}) as server, chromium() as browser:
        key = prepare(server)
        for path in photograph(browser, server, key, args.out):
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)


if __name__ == "__main__":
    main()
