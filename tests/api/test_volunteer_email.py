"""A volunteer's e-mail through the API: stored for coordinators, masked for viewers, checked."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.masking import mask_email, mask_personal
from matcher.io import load_dataset
from tests.api.conftest import SAMPLE, headers

PROBLEM = load_dataset(SAMPLE)


def test_mask_email_keeps_only_the_first_character_and_the_domain() -> None:
    assert mask_email("zhang.san@college.edu.cn") == "z****@college.edu.cn"
    assert mask_email("") == ""
    assert mask_email("not an address") == "****"
    assert mask_personal({"email": "li@example.com"})["email"] == "l****@example.com"


def test_email_is_stored_masked_for_viewers_and_checked(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}/volunteers"
    volunteer = {
        "id": "V9101",
        "name": "李小红",
        "role": "student",
        "membership": "league",
        "department": PROBLEM.volunteers[0].department,
        "email": "xiaohong@example.com",
    }
    created = client.post(base, json=volunteer, headers=coordinator)
    assert created.status_code == 201, created.text
    full = client.get(f"{base}/V9101", headers=coordinator).json()
    assert full["email"] == "xiaohong@example.com"
    shown = client.get(f"{base}/V9101", headers=headers(keys["viewer"])).json()
    assert shown["email"] == "x****@example.com"
    listed = client.get(base, params={"limit": 500}, headers=headers(keys["viewer"])).text
    assert "xiaohong@" not in listed
    bad = client.put(
        f"{base}/V9101", json={**volunteer, "email": "13800001111"}, headers=coordinator
    )
    assert bad.status_code in (409, 422), bad.text
    assert "email" in bad.text
    assert client.get(f"{base}/V9101", headers=coordinator).json()["email"] == volunteer["email"]
