"""Volunteers, households and needs: paging, filters, masking, CRUD with audit, 422s,
and replaces refused (409) when they would make a stored pin impossible."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import BaseModel
from sqlalchemy import select

from api.schemas import HouseholdModel, NeedModel, VolunteerModel
from api.store import load_problem
from api.store.models import AuditEntry, Dataset, VolunteerRecord
from matcher.domain import Need, Pin
from matcher.eligibility import build_eligibility
from matcher.errors import DataError
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
    assert shown["phone"] == "*******0001"
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


# --------------------------------------------------------------------------- pins


ELIGIBILITY = build_eligibility(PROBLEM)
PINNED = {p.volunteer_id for p in PROBLEM.pins}


def _editable(response: Response, model: type[BaseModel]) -> dict[str, Any]:
    """A GET answer as a PUT body: only the fields the body model takes (the stored JSON
    may carry fields the API does not edit)."""
    assert response.status_code == 200, response.text
    return {k: v for k, v in response.json().items() if k in model.model_fields}


def _snapshot(app: FastAPI, dataset_id: int) -> tuple[list[str], dt.datetime]:
    """The audit actions and the dataset's last change: a refused write leaves both."""
    with app.state.sessionmaker() as session:
        actions = [e.action for e in session.query(AuditEntry).order_by(AuditEntry.id)]
        dataset = session.get(Dataset, dataset_id)
        assert dataset is not None
        return actions, dataset.updated_at


def _refused(pin: Pin, need: Need) -> bool:
    """Whether the solver refuses ``pin`` once the sample's need is replaced by ``need``."""
    needs = tuple(need if n.id == need.id else n for n in PROBLEM.needs)
    try:
        build_eligibility(PROBLEM.replace(needs=needs, pins=(pin,)))
    except DataError:
        return True
    return False


def test_volunteer_change_that_breaks_a_pin_is_refused(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    # a need asking for a skill, and a volunteer the solver accepts on it, pinned
    need, volunteer = next(
        (PROBLEM.needs[n], PROBLEM.volunteers[v])
        for v, n in ELIGIBILITY.pair_index
        if PROBLEM.needs[n].skills and PROBLEM.volunteers[v].id not in PINNED
    )
    pin = client.post(
        f"{base}/pins", json={"volunteer_id": volunteer.id, "need_id": need.id}, headers=coordinator
    )
    assert pin.status_code == 201, pin.text
    url = f"{base}/volunteers/{volunteer.id}"
    stored = client.get(url, headers=coordinator).json()
    body = _editable(client.get(url, headers=coordinator), VolunteerModel)
    needed = {s.name for s in need.skills}
    unskilled = [s for s in body["skills"] if s["name"] not in needed]
    before = _snapshot(app, dataset_id)

    refused = client.put(url, json={**body, "skills": unskilled}, headers=coordinator)
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert f"volunteer {volunteer.id} cannot be pinned to need {need.id}" in detail
    assert "lacks a required skill" in detail
    broke_budget = client.put(url, json={**body, "max_minutes": 0}, headers=coordinator)
    assert broke_budget.status_code == 409 and "budget" in broke_budget.json()["detail"]
    # nothing of the refused changes was kept: not the volunteer, the audit or the dataset
    assert client.get(url, headers=coordinator).json() == stored
    assert _snapshot(app, dataset_id) == before

    # a change that keeps the pin possible goes through
    kept = client.put(url, json={**body, "phone": "13800002222"}, headers=coordinator)
    assert kept.status_code == 200, kept.text
    assert _snapshot(app, dataset_id)[0] == [*before[0], "volunteer.update"]


def test_need_date_change_that_breaks_a_pin_is_refused(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    pin = next(p for p in PROBLEM.pins if PROBLEM.need(p.need_id).date is not None)
    need = PROBLEM.need(pin.need_id)
    # a service day the pinned volunteer cannot make, as the solver sees it
    day = next(
        d
        for d in PROBLEM.horizon.service_days
        if d != need.date and _refused(pin, dataclasses.replace(need, date=d))
    )
    url = f"/datasets/{dataset_id}/needs/{need.id}"
    stored = client.get(url, headers=coordinator).json()
    body = _editable(client.get(url, headers=coordinator), NeedModel)
    before = _snapshot(app, dataset_id)

    refused = client.put(url, json={**body, "date": day.isoformat()}, headers=coordinator)
    assert refused.status_code == 409, refused.text
    assert (
        f"volunteer {pin.volunteer_id} cannot be pinned to need {need.id}"
        in refused.json()["detail"]
    )
    assert client.get(url, headers=coordinator).json() == stored
    assert _snapshot(app, dataset_id) == before
    retitled = client.put(url, json={**body, "title": "改个标题"}, headers=coordinator)
    assert retitled.status_code == 200, retitled.text


def test_household_area_change_that_breaks_a_pin_is_refused(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    pin = next(p for p in PROBLEM.pins if PROBLEM.need(p.need_id).household_id is not None)
    need = PROBLEM.need(pin.need_id)
    household = PROBLEM.household_by_id[need.household_id or ""]
    volunteer = PROBLEM.volunteer(pin.volunteer_id)
    assert household.area and volunteer.home_area == household.area
    # a short reach from home, through the API; the household is in the volunteer's own
    # area, so the pin holds
    volunteer_url = f"{base}/volunteers/{volunteer.id}"
    person = _editable(client.get(volunteer_url, headers=coordinator), VolunteerModel)
    near = client.put(volunteer_url, json={**person, "max_travel": 5}, headers=coordinator)
    assert near.status_code == 200, near.text
    # GET -> PUT round trip keeps it; a limit needs a home to measure from
    again = client.get(volunteer_url, headers=coordinator).json()
    assert again["max_travel"] == 5
    homeless = client.put(
        volunteer_url, json={**person, "max_travel": 5, "home_area": ""}, headers=coordinator
    )
    assert homeless.status_code == 422
    # one rule, one place (matcher.validate): the upload and the API both name max_travel
    assert homeless.json()["detail"][0]["loc"] == ["body", "max_travel"]
    assert "home_area" in homeless.json()["detail"][0]["msg"]
    url = f"{base}/households/{household.id}"
    body = _editable(client.get(url, headers=coordinator), HouseholdModel)
    # an unlisted route counts the solve's default of 10 minutes: out of reach
    moved = client.put(url, json={**body, "area": "第九十九网格"}, headers=coordinator)
    assert moved.status_code == 409, moved.text
    assert f"volunteer {volunteer.id} cannot be pinned to need {need.id}" in moved.json()["detail"]
    assert client.get(url, headers=coordinator).json()["area"] == household.area
    assert client.put(url, json={**body, "notes": "改"}, headers=coordinator).status_code == 200


def test_a_pin_impossible_already_does_not_block_unrelated_edits(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    pin = next(p for p in PROBLEM.pins if PROBLEM.need(p.need_id).departments)
    need = PROBLEM.need(pin.need_id)
    other = next(d.name for d in PROBLEM.departments if d.name not in need.departments)
    # a pin stored before a check refused such data: its volunteer's department is one
    # the need does not take (written past the API, which would refuse it)
    with app.state.sessionmaker() as session:
        record = session.scalar(
            select(VolunteerRecord).where(
                VolunteerRecord.dataset_id == dataset_id,
                VolunteerRecord.entity_id == pin.volunteer_id,
            )
        )
        assert record is not None
        record.data = {**record.data, "department": other}
        record.department = other
        session.commit()
    volunteer_url = f"{base}/volunteers/{pin.volunteer_id}"
    volunteer = _editable(client.get(volunteer_url, headers=coordinator), VolunteerModel)
    changed = client.put(
        volunteer_url, json={**volunteer, "phone": "13800003333"}, headers=coordinator
    )
    assert changed.status_code == 200, changed.text
    need_url = f"{base}/needs/{need.id}"
    body = _editable(client.get(need_url, headers=coordinator), NeedModel)
    changed = client.put(need_url, json={**body, "title": "改个标题"}, headers=coordinator)
    assert changed.status_code == 200, changed.text


def test_dates_in_queries_and_bodies_read_as_the_spreadsheets_write_them(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    """2026年9月19日 and 2026/9/19 are the same day as 2026-09-19; a day without a year or
    a word is refused with the Chinese message naming the parameter."""
    h = headers(keys["viewer"])
    iso = client.get(f"/datasets/{dataset_id}/needs", params={"date": "2026-09-19"}, headers=h)
    assert iso.status_code == 200 and iso.json()["total"] > 0
    for written in ("2026年9月19日", "2026/9/19"):
        same = client.get(f"/datasets/{dataset_id}/needs", params={"date": written}, headers=h)
        assert same.status_code == 200 and same.json()["total"] == iso.json()["total"]
    for bad in ("9月19日", "下周六"):
        refused = client.get(
            f"/datasets/{dataset_id}/needs",
            params={"date": bad},
            headers={**h, "Accept-Language": "zh-CN"},
        )
        assert refused.status_code == 422
        [error] = refused.json()["detail"]
        assert error["loc"] == ["query", "date"] and "应为" in error["msg"]
    solve = client.post(
        "/rosters",
        json={"dataset_id": dataset_id, "horizon": {"from": "2026年9月26日", "to": "2026/9/27"}},
        headers=headers(keys["coordinator"]),
    )
    assert solve.status_code == 202, solve.text
