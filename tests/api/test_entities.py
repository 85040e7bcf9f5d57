"""Volunteers, households and needs: paging, filters, masking, CRUD with audit, 422s."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from api.store import load_problem
from api.store.models import AuditEntry
from matcher.io import load_dataset
from tests.api.conftest import SAMPLE, headers

PROBLEM = load_dataset(SAMPLE)


def test_paging_covers_every_volunteer_once(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    seen: list[str] = []
    offset = 0
    while True:
        page = client.get(
            f"/datasets/{dataset_id}/volunteers",
            params={"offset": offset, "limit": 70},
            headers=headers(keys["viewer"]),
        ).json()
        assert page["total"] == len(PROBLEM.volunteers)
        seen += [v["id"] for v in page["items"]]
        offset += 70
        if offset >= page["total"]:
            break
    assert seen == [v.id for v in PROBLEM.volunteers]
    too_many = client.get(
        f"/datasets/{dataset_id}/volunteers", params={"limit": 501}, headers=headers(keys["viewer"])
    )
    assert too_many.status_code == 422


def test_filters(client: TestClient, keys: dict[str, str], dataset_id: int) -> None:
    viewer = headers(keys["viewer"])
    base = f"/datasets/{dataset_id}"
    department = PROBLEM.volunteers[0].department
    page = client.get(
        f"{base}/volunteers", params={"department": department, "limit": 500}, headers=viewer
    ).json()
    assert [v["id"] for v in page["items"]] == [
        v.id for v in PROBLEM.volunteers if v.department == department
    ]
    skill = "家电维修"
    page = client.get(
        f"{base}/volunteers", params={"skill": skill, "limit": 500}, headers=viewer
    ).json()
    expected = [v.id for v in PROBLEM.volunteers if v.skill_level(skill)]
    assert expected and [v["id"] for v in page["items"]] == expected
    page = client.get(
        f"{base}/households", params={"category": "elderly-alone"}, headers=viewer
    ).json()
    assert page["total"] == sum(h.category == "elderly-alone" for h in PROBLEM.households)
    day = next(n.date for n in PROBLEM.needs if n.date)
    page = client.get(
        f"{base}/needs", params={"date": day.isoformat(), "category": "clean-up"}, headers=viewer
    ).json()
    assert [n["id"] for n in page["items"]] == [
        n.id for n in PROBLEM.needs if n.date == day and n.category == "clean-up"
    ]
    assert (
        client.get(f"{base}/needs", params={"category": "nonsense"}, headers=viewer).status_code
        == 422
    )
    assert (
        client.get(f"{base}/needs", params={"date": "2026-13-01"}, headers=viewer).status_code
        == 422
    )


def test_viewer_sees_masked_personal_data(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    base = f"/datasets/{dataset_id}"
    volunteer = PROBLEM.volunteers[0]  # phone 199-0000-0001
    shown = client.get(f"{base}/volunteers/{volunteer.id}", headers=headers(keys["viewer"])).json()
    assert shown["phone"] == "199****0001"
    listed = client.get(
        f"{base}/volunteers", params={"limit": 500}, headers=headers(keys["viewer"])
    ).text
    assert "199-0000" not in listed
    household = PROBLEM.households[0]  # 3栋2单元401
    shown = client.get(f"{base}/households/{household.id}", headers=headers(keys["viewer"])).json()
    assert shown["address"] == "3栋****"
    assert (
        household.notes
        not in client.get(f"{base}/households", headers=headers(keys["viewer"])).text
    )
    full = client.get(
        f"{base}/volunteers/{volunteer.id}", headers=headers(keys["coordinator"])
    ).json()
    assert full["phone"] == volunteer.phone


VOLUNTEER = {
    "id": "V9001",
    "name": "王小明",
    "role": "学生",
    "membership": "league",
    "department": PROBLEM.volunteers[0].department,
    "skills": [{"name": "家电维修", "level": 2}],
    "phone": "13800001111",
}


def test_volunteer_crud_round_trip_with_audit(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}/volunteers"
    created = client.post(base, json=VOLUNTEER, headers=coordinator)
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "student"
    assert client.post(base, json=VOLUNTEER, headers=coordinator).status_code == 409
    changed = {**VOLUNTEER, "max_shifts": 4}
    updated = client.put(f"{base}/V9001", json=changed, headers=coordinator)
    assert updated.status_code == 200 and updated.json()["max_shifts"] == 4
    assert client.get(f"{base}/V9001", headers=coordinator).json()["max_shifts"] == 4
    with app.state.sessionmaker() as session:
        problem = load_problem(session, dataset_id)
    assert problem.volunteers[-1].id == "V9001" and problem.volunteers[-1].max_shifts == 4

    # deleting a sample volunteer also deletes the rows that depend on it
    victim = PROBLEM.volunteers[0].id
    deleted = client.delete(f"{base}/{victim}", headers=coordinator)
    assert deleted.status_code == 200
    assert deleted.json()["removed"]["availability"] == sum(
        w.volunteer_id == victim for w in PROBLEM.availability
    )
    assert client.get(f"{base}/{victim}", headers=coordinator).status_code == 404
    with app.state.sessionmaker() as session:
        problem = load_problem(session, dataset_id)
        entries = session.query(AuditEntry).order_by(AuditEntry.id).all()
    assert all(w.volunteer_id != victim for w in problem.availability)
    assert [e.action for e in entries] == [
        "dataset.create",
        "volunteer.create",
        "volunteer.update",
        "volunteer.delete",
    ]
    coordinator_id = entries[1].key_id
    assert coordinator_id is not None and all(e.key_id == coordinator_id for e in entries)
    assert entries[2].target == f"dataset:{dataset_id}/volunteer:V9001"
    assert entries[2].detail == {"changed": ["max_shifts"]}
    assert all(e.at is not None for e in entries)


def test_need_and_household_crud(client: TestClient, keys: dict[str, str], dataset_id: int) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    household = {"id": "H900", "address": "9栋1单元101", "category": "独居老人", "area": "第九网格"}
    assert client.post(f"{base}/households", json=household, headers=coordinator).status_code == 201
    need = {
        "id": "N900",
        "title": "探访",
        "category": "elderly-care",
        "date": PROBLEM.horizon.start.isoformat(),
        "start": "9:00",
        "end": "11:00",
        "duration": 60,
        "household_id": "H900",
    }
    created = client.post(f"{base}/needs", json=need, headers=coordinator)
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["start"], body["end"], body["duration"], body["area"]) == (
        "09:00",
        "11:00",
        60,
        "第九网格",
    )
    # the household is in use: refused until the need is gone
    assert client.delete(f"{base}/households/H900", headers=coordinator).status_code == 409
    assert client.delete(f"{base}/needs/N900", headers=coordinator).status_code == 200
    assert client.delete(f"{base}/households/H900", headers=coordinator).status_code == 200


def _errors(response) -> dict[tuple, str]:
    assert response.status_code == 422, response.text
    return {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}


def test_bad_bodies_are_422_with_field_paths(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    errors = _errors(
        client.post(
            f"{base}/volunteers", json={**VOLUNTEER, "department": "无此学院"}, headers=coordinator
        )
    )
    assert ("body", "department") in errors
    errors = _errors(
        client.post(
            f"{base}/volunteers",
            json={**VOLUNTEER, "skills": [{"name": "家电维修", "level": 9}], "role": "pilot"},
            headers=coordinator,
        )
    )
    assert ("body", "skills", 0, "level") in errors and ("body", "role") in errors
    need = {
        "id": "N901",
        "title": "x",
        "category": "haircut",
        "min_volunteers": 3,
        "max_volunteers": 2,
    }
    assert ("body", "max_volunteers") in _errors(
        client.post(f"{base}/needs", json=need, headers=coordinator)
    )
    timed = {
        **need,
        "max_volunteers": 3,
        "date": PROBLEM.horizon.start.isoformat(),
        "start": "10:00",
        "end": "09:00",
    }
    assert ("body", "end") in _errors(client.post(f"{base}/needs", json=timed, headers=coordinator))
    outside = {**timed, "date": "2030-01-01", "end": "11:00", "start": "25:00"}
    assert ("body", "start") in _errors(
        client.post(f"{base}/needs", json=outside, headers=coordinator)
    )
    assert ("body", "date") in _errors(
        client.post(f"{base}/needs", json={**outside, "start": "10:00"}, headers=coordinator)
    )
    assert ("body", "id") in _errors(
        client.put(f"{base}/volunteers/V0002", json=VOLUNTEER, headers=coordinator)
    )
    assert ("body", "extra") in _errors(
        client.post(
            f"{base}/households",
            json={"id": "H1", "address": "a", "category": "other", "extra": 1},
            headers=coordinator,
        )
    )
    broken = client.post(
        f"{base}/households",
        content=b"{not json",
        headers={**coordinator, "content-type": "application/json"},
    )
    assert broken.status_code == 422
    assert client.get(f"{base}/volunteers/NOPE", headers=coordinator).status_code == 404
    assert client.get("/datasets/999/needs", headers=coordinator).status_code == 404
    assert (
        client.get("/datasets/99999999999999999999/needs", headers=coordinator).status_code == 422
    )
