"""The dataset's other rows (departments, skills, availability, blackouts, pairs, pins,
history, travel): CRUD with audit, filters and paging, checks as the upload and the
solver make them, roles, and odd input that must never get a 500."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response

from api.store import load_problem
from api.store.models import AuditEntry, Dataset
from matcher.eligibility import build_eligibility
from matcher.io import load_dataset
from tests.api.conftest import SAMPLE, headers

PROBLEM = load_dataset(SAMPLE)
ELIGIBILITY = build_eligibility(PROBLEM)
PINNED = {p.volunteer_id for p in PROBLEM.pins}


def accepted(need_id: str) -> list[str]:
    """Volunteers the solver accepts on a need of the sample."""
    n = PROBLEM.need_index[need_id]
    return [PROBLEM.volunteers[v].id for (v, k) in ELIGIBILITY.pair_index if k == n]


def eligible(need_id: str) -> list[str]:
    """Volunteers the solver accepts on a need of the sample and who have no pin yet."""
    return [v for v in accepted(need_id) if v not in PINNED]


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


FIXED_NEED = next(n for n in PROBLEM.needs if n.date and not n.is_flexible and eligible(n.id))
FLEXIBLE_NEED = next(n for n in PROBLEM.needs if n.is_flexible and eligible(n.id))
HOUSEHOLD = PROBLEM.households[0].id
START = PROBLEM.horizon.start.isoformat()


def _errors(response: Response) -> dict[tuple[Any, ...], str]:
    assert response.status_code == 422, response.text
    return {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}


# kind, a body to create, the answer expected for it (beyond the body), a replacement,
# and a list filter that finds the created row
CASES: list[tuple[str, dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]] = [
    (
        "departments",
        {"name": "测试学院", "fit_categories": ["宣传", "haircut", "宣传"]},
        {"fit_categories": ["publicity", "haircut"]},
        {"name": "测试学院二", "fit_categories": []},
        {"name": "测试学院二"},
    ),
    ("skills", {"name": "测试技能"}, {}, {"name": "测试技能二"}, {"name": "测试技能二"}),
    (
        "availability",
        {"volunteer_id": "V0002", "date": "2026/9/26", "start": "9点", "end": "下午3点"},
        {"date": "2026-09-26", "start": "09:00", "end": "15:00", "weekday": None},
        {"volunteer_id": "V0002", "weekday": "周六", "start": "08:00", "end": "24:00"},
        {"volunteer_id": "V0002", "weekday": 6},
    ),
    (
        "blackouts",
        {"volunteer_id": "V0002", "date": "2026-09-20"},
        {},
        {"volunteer_id": "V0002", "date": "2026年9月21日"},
        {"volunteer_id": "V0002", "date": "2026-09-21"},
    ),
    (
        "pairs",
        {"volunteer_id": "V0002", "need_id": "N001", "affinity": -2},
        {"household_id": None, "forbidden": False, "extra_minutes": 0},
        {"volunteer_id": "V0002", "household_id": HOUSEHOLD, "forbidden": "是"},
        {"household_id": HOUSEHOLD, "volunteer_id": "V0002"},
    ),
    (
        "pins",
        {"volunteer_id": eligible(FIXED_NEED.id)[0], "need_id": FIXED_NEED.id},
        {"start": None},
        {"volunteer_id": eligible(FLEXIBLE_NEED.id)[0], "need_id": FLEXIBLE_NEED.id},
        {"need_id": FLEXIBLE_NEED.id},
    ),
    (
        "history",
        {
            "volunteer_id": "V0003",
            "date": "2026-06-01",
            "minutes": 90,
            "attended": "否",
            "need_id": "P99999",
            "household_id": HOUSEHOLD,
            "category": "宣传",
        },
        {"attended": False, "category": "publicity", "roster_id": None},
        {"volunteer_id": "V0003", "date": "2026-06-02", "minutes": 60, "attended": True},
        {"volunteer_id": "V0003", "date": "2026-06-02"},
    ),
    (
        "travel",
        {"origin": "甲地", "destination": "乙地", "minutes": 5},
        {},
        {"origin": "甲地", "destination": "丙地", "minutes": 0},
        {"origin": "甲地"},
    ),
]


def test_crud_round_trip_of_every_kind_with_audit(
    app: FastAPI, client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    viewer = headers(keys["viewer"])
    base = f"/datasets/{dataset_id}"
    with app.state.sessionmaker() as session:
        uploaded_at = session.get(Dataset, dataset_id).updated_at
    for kind, body, expected, replacement, filters in CASES:
        created = client.post(f"{base}/{kind}", json=body, headers=coordinator)
        assert created.status_code == 201, (kind, created.text)
        row = created.json()
        assert {k: row[k] for k in {**body, **expected}} == {**body, **expected}, kind
        url = f"{base}/{kind}/{row['id']}"
        assert client.get(url, headers=viewer).json() == row
        # a read, edit, write round trip: the answer's id may go back in the body
        replaced = client.put(url, json={**replacement, "id": row["id"]}, headers=coordinator)
        assert replaced.status_code == 200, (kind, replaced.text)
        assert client.get(url, headers=viewer).json() == replaced.json()
        listed = client.get(f"{base}/{kind}", params=filters, headers=viewer).json()
        assert row["id"] in [r["id"] for r in listed["items"]], (kind, listed)
        with app.state.sessionmaker() as session:
            problem = load_problem(session, dataset_id)
        assert len(getattr(problem, kind)) == len(getattr(PROBLEM, kind)) + 1, kind
        deleted = client.delete(url, headers=coordinator)
        assert deleted.status_code == 200, (kind, deleted.text)
        assert deleted.json()["deleted"].startswith(f"dataset:{dataset_id}/")
        assert client.get(url, headers=viewer).status_code == 404
        assert client.delete(url, headers=coordinator).status_code == 404
    with app.state.sessionmaker() as session:
        problem = load_problem(session, dataset_id)
        entries = session.query(AuditEntry).order_by(AuditEntry.id).all()
        assert session.get(Dataset, dataset_id).updated_at > uploaded_at
    assert problem == PROBLEM.replace(name=problem.name)  # every change undone
    build_eligibility(problem)  # and the solver still accepts the pins
    writes = entries[1:]
    assert [e.action for e in writes] == [
        f"{one}.{action}"
        for one in (
            "department",
            "skill",
            "availability",
            "blackout",
            "pair",
            "pin",
            "history",
            "travel",
        )
        for action in ("create", "update", "delete")
    ]
    assert len({e.key_id for e in entries}) == 1 and entries[0].key_id is not None
    pin_update = next(e for e in writes if e.action == "pin.update")
    assert pin_update.target.startswith(f"dataset:{dataset_id}/pin:")
    assert pin_update.detail == {"changed": ["need_id", "volunteer_id"]}
    travel_delete = writes[-1]
    assert travel_delete.detail["row"] == {"origin": "甲地", "destination": "丙地", "minutes": 0}


def test_lists_page_in_upload_order_and_filter(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    viewer = headers(keys["viewer"])
    base = f"/datasets/{dataset_id}"
    seen: list[tuple[str, Any, Any, str, str]] = []
    offset = 0
    while True:
        page = client.get(
            f"{base}/availability", params={"offset": offset, "limit": 150}, headers=viewer
        ).json()
        assert page["total"] == len(PROBLEM.availability) and page["limit"] == 150
        seen += [
            (w["volunteer_id"], w["date"], w["weekday"], w["start"], w["end"])
            for w in page["items"]
        ]
        offset += 150
        if offset >= page["total"]:
            break
    assert seen == [
        (
            w.volunteer_id,
            w.date.isoformat() if w.date else None,
            w.weekday,
            clock(w.start),
            clock(w.end),
        )
        for w in PROBLEM.availability
    ]

    def total(kind: str, **params: Any) -> int:
        response = client.get(f"{base}/{kind}", params=params, headers=viewer)
        assert response.status_code == 200, response.text
        return response.json()["total"]

    day = dt.date(2026, 9, 25)
    assert total("availability", volunteer_id="V0001") == sum(
        w.volunteer_id == "V0001" for w in PROBLEM.availability
    )
    assert total("availability", date=day.isoformat()) == sum(
        w.date == day for w in PROBLEM.availability
    )
    assert total("availability", weekday=7, volunteer_id="V0001") == sum(
        w.weekday == 7 and w.volunteer_id == "V0001" for w in PROBLEM.availability
    )
    blackout = PROBLEM.blackouts[0]
    assert total("blackouts", date=blackout.date.isoformat()) == sum(
        b.date == blackout.date for b in PROBLEM.blackouts
    )
    assert total("pairs", household_id="H001") == sum(
        p.household_id == "H001" for p in PROBLEM.pairs
    )
    assert total("pairs", need_id="N027") == sum(p.need_id == "N027" for p in PROBLEM.pairs)
    assert total("pins", volunteer_id=PROBLEM.pins[0].volunteer_id) == 1
    entry = next(h for h in PROBLEM.history if h.household_id)
    assert total("history", volunteer_id=entry.volunteer_id) == sum(
        h.volunteer_id == entry.volunteer_id for h in PROBLEM.history
    )
    assert total("history", household_id=entry.household_id, date=entry.date.isoformat()) == sum(
        h.household_id == entry.household_id and h.date == entry.date for h in PROBLEM.history
    )
    assert total("history", need_id=entry.need_id) == sum(
        h.need_id == entry.need_id for h in PROBLEM.history
    )
    origin = PROBLEM.travel[0].origin
    assert total("travel", origin=origin) == sum(t.origin == origin for t in PROBLEM.travel)
    assert total("skills", name=PROBLEM.skills[0]) == 1
    assert total("departments") == len(PROBLEM.departments)
    assert total("pins", volunteer_id="%") == 0  # text, not a pattern
    for params in ({"limit": 501}, {"offset": -1}, {"weekday": 8}, {"date": "2026-02-30"}):
        assert client.get(f"{base}/availability", params=params, headers=viewer).status_code == 422
    assert client.get("/datasets/999/pins", headers=viewer).status_code == 404


def test_bad_values_are_422_with_field_paths(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"

    def post(kind: str, body: Any) -> dict[tuple[Any, ...], str]:
        return _errors(client.post(f"{base}/{kind}", json=body, headers=coordinator))

    window = {"volunteer_id": "V0001", "date": START, "start": "10:00", "end": "12:00"}
    assert (
        "after the start 10:00" in post("availability", {**window, "end": "09:00"})[("body", "end")]
    )
    assert (
        "inside the horizon"
        in post("availability", {**window, "date": "2030-01-01"})[("body", "date")]
    )
    assert "found both" in post("availability", {**window, "weekday": 6})[("body", "date")]
    assert "found neither" in post("availability", {**window, "date": None})[("body", "date")]
    assert ("body", "weekday") in post("availability", {**window, "date": None, "weekday": 8})
    assert ("body", "weekday") in post("availability", {**window, "date": None, "weekday": "周八"})
    assert ("body", "weekday") in post("availability", {**window, "date": None, "weekday": True})
    assert "23:59" in post("availability", {**window, "start": "25:00"})[("body", "start")]
    assert ("body", "start") in post("availability", {**window, "start": 900})
    assert ("body", "date") in post("availability", {**window, "date": 20260919})
    assert ("body", "date") in post("blackouts", {"volunteer_id": "V0001", "date": "2026-09-31"})
    assert "found neither" in post("pairs", {"volunteer_id": "V0001"})[("body", "need_id")]
    both = {"volunteer_id": "V0001", "need_id": "N001", "household_id": HOUSEHOLD}
    assert "found both" in post("pairs", both)[("body", "need_id")]
    assert ("body", "extra_minutes") in post(
        "pairs", {"volunteer_id": "V0001", "need_id": "N001", "extra_minutes": -1}
    )
    assert ("body", "affinity") in post(
        "pairs", {"volunteer_id": "V0001", "need_id": "N001", "affinity": 10**30}
    )
    assert ("body", "forbidden") in post(
        "pairs", {"volunteer_id": "V0001", "need_id": "N001", "forbidden": "maybe"}
    )
    fixed_pin = {"volunteer_id": eligible(FIXED_NEED.id)[0], "need_id": FIXED_NEED.id}
    assert "not flexible" in post("pins", {**fixed_pin, "start": "09:00"})[("body", "start")]
    late = FLEXIBLE_NEED.latest_start + 30  # type: ignore[operator]
    flexible_pin = {
        "volunteer_id": eligible(FLEXIBLE_NEED.id)[0],
        "need_id": FLEXIBLE_NEED.id,
        "start": clock(late),
    }
    assert "expected a start from" in post("pins", flexible_pin)[("body", "start")]
    history = {"volunteer_id": "V0001", "date": "2026-06-01"}
    assert ("body", "category") in post("history", {**history, "category": "nonsense"})
    assert ("body", "minutes") in post("history", {**history, "minutes": 1.5})
    assert ("body", "minutes") in post("history", {**history, "minutes": 10**12})
    assert ("body", "minutes") in post("travel", {"origin": "a", "destination": "b", "minutes": -1})
    assert ("body", "origin") in post("travel", {"origin": "", "destination": "b", "minutes": 1})
    assert ("body", "name") in post("skills", {"name": "  "})
    assert ("body", "fit_categories", 0) in post(
        "departments", {"name": "x", "fit_categories": ["nonsense"]}
    )
    assert ("body", "extra") in post("skills", {"name": "x", "extra": 1})
    assert ("body", "id") in post("skills", {"name": "x", "id": 5})
    # the id of a replace is the path's
    row = client.get(f"{base}/skills", headers=coordinator).json()["items"][0]
    assert ("body", "id") in _errors(
        client.put(
            f"{base}/skills/{row['id']}", json={**row, "id": row["id"] + 1}, headers=coordinator
        )
    )
    # a row of another kind is not found under this one
    assert (
        client.put(
            f"{base}/travel/{row['id']}",
            json={"origin": "a", "destination": "b", "minutes": 1},
            headers=coordinator,
        )
    ).status_code == 404


def test_unknown_references_are_refused(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    cases = [
        ("availability", {"volunteer_id": "V9999", "weekday": 6, "start": "9:00", "end": "10:00"}),
        ("blackouts", {"volunteer_id": "V9999", "date": START}),
        ("pairs", {"volunteer_id": "V9999", "need_id": "N001"}),
        ("pins", {"volunteer_id": "V9999", "need_id": "N001"}),
        ("history", {"volunteer_id": "V9999", "date": START}),
    ]
    for kind, body in cases:
        errors = _errors(client.post(f"{base}/{kind}", json=body, headers=coordinator))
        assert "found unknown 'V9999'" in errors[("body", "volunteer_id")], kind
        assert "listed in volunteers" in errors[("body", "volunteer_id")]
    errors = _errors(
        client.post(
            f"{base}/pins", json={"volunteer_id": "V0001", "need_id": "N999"}, headers=coordinator
        )
    )
    assert "unknown 'N999'" in errors[("body", "need_id")]
    for kind, body in [
        ("pairs", {"volunteer_id": "V0001", "household_id": "H999"}),
        ("history", {"volunteer_id": "V0001", "date": START, "household_id": "H999"}),
    ]:
        errors = _errors(client.post(f"{base}/{kind}", json=body, headers=coordinator))
        assert "unknown 'H999'" in errors[("body", "household_id")], kind
    # history keeps the need of the time as free text, as the upload does
    created = client.post(
        f"{base}/history",
        json={"volunteer_id": "V0001", "date": START, "need_id": "GONE-1"},
        headers=coordinator,
    )
    assert created.status_code == 201, created.text


def test_pins_are_checked_as_the_solver_checks_them(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    need = FLEXIBLE_NEED
    volunteer = eligible(need.id)[0]
    outsider = next(v.id for v in PROBLEM.volunteers if v.id not in accepted(need.id))
    refused = _errors(
        client.post(
            f"{base}/pins", json={"volunteer_id": outsider, "need_id": need.id}, headers=coordinator
        )
    )
    assert (
        f"volunteer {outsider} cannot be pinned to need {need.id}"
        in refused[("body", "volunteer_id")]
    )
    # a start inside the volunteer's window (what the solver would let it pick)
    pair = ELIGIBILITY.pair_index[(PROBLEM.volunteer_index[volunteer], PROBLEM.need_index[need.id])]
    start = clock(ELIGIBILITY.start_domains[pair][0][0])
    pin = client.post(
        f"{base}/pins",
        json={"volunteer_id": volunteer, "need_id": need.id, "start": start},
        headers=coordinator,
    )
    assert pin.status_code == 201, pin.text
    assert pin.json()["start"] == start
    again = client.post(
        f"{base}/pins", json={"volunteer_id": volunteer, "need_id": need.id}, headers=coordinator
    )
    assert again.status_code == 409 and f"/pins/{pin.json()['id']}" in again.json()["detail"]

    # changes that would make the stored pin impossible are refused, naming the pin
    assert need.date is not None
    blackout = client.post(
        f"{base}/blackouts",
        json={"volunteer_id": volunteer, "date": need.date.isoformat()},
        headers=coordinator,
    )
    assert blackout.status_code == 409, blackout.text
    assert f"volunteer {volunteer} cannot be pinned to need {need.id}" in blackout.json()["detail"]
    forbidden = client.post(
        f"{base}/pairs",
        json={"volunteer_id": volunteer, "need_id": need.id, "forbidden": True},
        headers=coordinator,
    )
    assert forbidden.status_code == 409 and "forbidden" in forbidden.json()["detail"]
    windows = client.get(
        f"{base}/availability", params={"volunteer_id": volunteer}, headers=coordinator
    ).json()["items"]
    refusals = [
        client.delete(f"{base}/availability/{w['id']}", headers=coordinator).status_code
        for w in windows
    ]
    assert 409 in refusals  # the window holding the pinned need stays
    # nothing refused was stored
    listed = client.get(
        f"{base}/blackouts", params={"volunteer_id": volunteer}, headers=coordinator
    ).json()
    assert listed["total"] == sum(b.volunteer_id == volunteer for b in PROBLEM.blackouts)
    # without the pin the same change goes through
    assert client.delete(f"{base}/pins/{pin.json()['id']}", headers=coordinator).status_code == 200
    assert (
        client.post(
            f"{base}/blackouts",
            json={"volunteer_id": volunteer, "date": need.date.isoformat()},
            headers=coordinator,
        ).status_code
        == 201
    )


def test_departments_and_skills_in_use_stay(
    client: TestClient, keys: dict[str, str], dataset_id: int
) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    department = PROBLEM.volunteers[0].department
    row = client.get(f"{base}/departments", params={"name": department}, headers=coordinator)
    row = row.json()["items"][0]
    url = f"{base}/departments/{row['id']}"
    deleted = client.delete(url, headers=coordinator)
    assert deleted.status_code == 409 and PROBLEM.volunteers[0].id in deleted.json()["detail"]
    renamed = client.put(url, json={**row, "name": "改名学院"}, headers=coordinator)
    assert renamed.status_code == 409
    # the same name with other categories is fine
    changed = client.put(url, json={**row, "fit_categories": ["其他"]}, headers=coordinator)
    assert changed.status_code == 200 and changed.json()["fit_categories"] == ["other"]
    duplicate = client.post(f"{base}/departments", json={"name": department}, headers=coordinator)
    assert duplicate.status_code == 409

    skill = PROBLEM.volunteers[0].skills[0].name
    row = client.get(f"{base}/skills", params={"name": skill}, headers=coordinator)
    row = row.json()["items"][0]
    deleted = client.delete(f"{base}/skills/{row['id']}", headers=coordinator)
    assert deleted.status_code == 409 and skill in deleted.json()["detail"]
    assert (
        client.post(f"{base}/skills", json={"name": skill}, headers=coordinator).status_code == 409
    )
    travel = PROBLEM.travel[0]
    route = {"origin": travel.origin, "destination": travel.destination, "minutes": 1}
    assert client.post(f"{base}/travel", json=route, headers=coordinator).status_code == 409


def test_roles(client: TestClient, keys: dict[str, str], dataset_id: int) -> None:
    viewer = headers(keys["viewer"])
    base = f"/datasets/{dataset_id}"
    for kind, body, *_ in CASES:
        assert client.post(f"{base}/{kind}", json=body, headers=viewer).status_code == 403
        page = client.get(f"{base}/{kind}", params={"limit": 1}, headers=viewer)
        assert page.status_code == 200
        row = page.json()["items"][0]
        url = f"{base}/{kind}/{row['id']}"
        assert client.put(url, json=body, headers=viewer).status_code == 403
        assert client.delete(url, headers=viewer).status_code == 403
        assert client.get(url).status_code == 401
        assert client.get(url, headers=headers("mk_0_0")).status_code == 401
    assert client.post(f"{base}/skills", json={"name": "x"}).status_code == 401


def test_odd_input_never_500(app: FastAPI, keys: dict[str, str], dataset_id: int) -> None:
    coordinator = headers(keys["coordinator"])
    base = f"/datasets/{dataset_id}"
    odd_values: list[Any] = [
        None,
        "",
        "V\x00",
        -(10**30),
        1.5,
        True,
        {},
        "2026-13-45",
        "𠀀" * 300,
    ]
    with TestClient(app, raise_server_exceptions=False) as client:
        for kind, body, *_ in CASES:
            for field in body:
                for value in odd_values:
                    response = client.post(
                        f"{base}/{kind}", json={**body, field: value}, headers=coordinator
                    )
                    assert response.status_code < 500, (kind, field, value, response.text)
            refused = [
                ("post", f"{base}/{kind}", {"json": []}),
                ("post", f"{base}/{kind}", {"json": "x"}),
                ("post", f"{base}/{kind}", {"content": b"{not json"}),
                ("post", f"{base}/{kind}", {"content": b"\xff\xfe\x00"}),
                ("get", f"{base}/{kind}/{10**30}", {}),
                ("get", f"{base}/{kind}/0", {}),
                ("get", f"{base}/{kind}/-1", {}),
                ("get", f"{base}/{kind}/abc", {}),
                ("get", f"{base}/{kind}/%00", {}),
                ("put", f"{base}/{kind}/2147483647", {"json": body}),
                ("delete", f"{base}/{kind}/2147483648", {}),
                ("get", f"/datasets/{10**30}/{kind}", {}),
                ("get", f"{base}/{kind}", {"params": {"limit": 10**30}}),
            ]
            # filters a kind does not have are ignored; the others must refuse odd values
            filtered = [
                ("get", f"{base}/{kind}", {"params": {name: value}})
                for name in ("volunteer_id", "need_id", "name", "origin", "date", "weekday")
                for value in ("a\x00", "x" * 300)
            ]
            for method, url, options in refused + filtered:
                extra = {"content-type": "application/json"} if "content" in options else {}
                response = getattr(client, method)(url, headers={**coordinator, **extra}, **options)
                assert response.status_code < 500, (method, url, options, response.text)
                if (method, url, options) in refused:
                    assert response.status_code >= 400, (method, url, response.text)


def test_openapi_documents_the_row_routes(app: FastAPI) -> None:
    schema = app.openapi()
    components = schema["components"]["schemas"]
    kinds = [kind for kind, *_ in CASES]
    for path, operations in schema["paths"].items():
        if not any(path.startswith(f"/datasets/{{dataset_id}}/{kind}") for kind in kinds):
            continue
        for method, operation in operations.items():
            assert operation.get("summary") and operation.get("description"), (method, path)
            success = next(v for k, v in operation["responses"].items() if k.startswith("2"))
            reference = success["content"]["application/json"]["schema"]["$ref"]
            assert components[reference.rsplit("/", 1)[1]], (method, path)
            if method in ("post", "put"):
                body = operation["requestBody"]["content"]["application/json"]["schema"]
                model = components[body["$ref"].rsplit("/", 1)[1]]
                assert model.get("examples"), (method, path)
                assert "422" in operation["responses"] and "409" in operation["responses"]
