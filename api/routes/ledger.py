"""The participation ledger: hours, points, stars, rankings, warnings, department report.

Computed from what really happened (:mod:`api.ledger_view`): the dataset's
history and the attendance recorded for its published rosters, never the
plan.  The same tables as ``matcher ledger`` writes, as JSON, as the Chinese
workbook and chart, and a volunteer's service record certificate
(志愿服务记录证明) as PDF for the organiser to issue on request.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.orm import Session

from api.deps import Reader, SessionDep, Writer
from api.ledger_view import DatasetLedger, dataset_ledger
from api.record_schemas import DateField
from api.routes.common import AUTH, NOT_FOUND, DatasetId, answer, get_dataset
from api.store.audit import audit
from matcher.errors import DataError
from matcher.i18n import _
from matcher.ledger.files import CERTIFICATES

router = APIRouter(tags=["ledger"])

From = Annotated[DateField | None, Query(alias="from", description="first day of the period")]
To = Annotated[DateField | None, Query(alias="to", description="last day of the period")]
VolunteerId = Annotated[
    str, Path(min_length=1, max_length=100, pattern=r"^[^\x00]*$", description="volunteer id")
]
MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "png": "image/png",
}


class LedgerColumn(BaseModel):
    """A column: its key (as in the CSV file) and its Chinese header (as in the workbook)."""

    key: str
    header: str


class LedgerTable(BaseModel):
    """One table of the ledger, as the workbook's sheet of the same title."""

    name: str = Field(description="hours, points, stars, ranking, warnings or departments")
    title: str = Field(description="the workbook's sheet name")
    columns: list[LedgerColumn]
    rows: list[list[Any]]


class LedgerAnswer(BaseModel):
    """The ledger of a dataset for a period."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "dataset_id": 1,
                    "start": "2026-07-01",
                    "end": "2026-09-30",
                    "warned": 1,
                    "tables": [
                        {
                            "name": "ranking",
                            "title": "积分排行",
                            "columns": [
                                {"key": "rank", "header": "名次"},
                                {"key": "volunteer_id", "header": "志愿者编号"},
                                {"key": "points", "header": "积分"},
                            ],
                            "rows": [[1, "V0007", 12.5]],
                        }
                    ],
                }
            ]
        }
    )

    dataset_id: int
    start: str = Field(description="the period's first day")
    end: str = Field(description="the period's last day (the ledger is as of this day)")
    warned: int = Field(description="members on the early-warning list")
    tables: list[LedgerTable]


def _ledger(
    request: Request, session: Session, dataset_id: int, start: Any, end: Any
) -> DatasetLedger:
    get_dataset(session, dataset_id)
    if start and end and start > end:
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            _("from {start} is after to {end}").format(start=start, end=end),
        )
    try:
        return dataset_ledger(session, dataset_id, start, end, request.app.state.ledger_rules)
    except DataError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None


@router.get(
    "/datasets/{dataset_id}/ledger",
    summary="The participation ledger: hours, points, stars, ranking, warnings, departments",
    description=(
        "Computed from what really happened: the dataset's history and the attendance "
        "recorded for its published rosters (a correction counts, the entry it superseded "
        "does not), scored by the points rules of docs/ledger.md. `from`/`to` choose the "
        "period (default: all records); stars and streaks read the whole past up to `to`."
    ),
    responses={**AUTH, **NOT_FOUND},
)
def read_ledger(
    request: Request,
    dataset_id: DatasetId,
    session: SessionDep,
    key: Reader,
    start: From = None,
    end: To = None,
) -> LedgerAnswer:
    found = _ledger(request, session, dataset_id, start, end)
    return LedgerAnswer(
        dataset_id=dataset_id,
        start=found.ledger.period.start.isoformat() if found.ledger.period.start else "",
        end=found.ledger.as_of.isoformat(),
        warned=len(found.ledger.warnings),
        tables=[
            LedgerTable(
                name=table.file.removesuffix(".csv"),
                title=table.sheet,
                columns=[LedgerColumn(key=k, header=h) for k, h in table.columns],
                rows=[list(row) for row in table.rows],
            )
            for table in found.tables()
        ],
    )


@router.get(
    "/datasets/{dataset_id}/ledger/export",
    summary="The ledger as the Chinese workbook (xlsx) or the department chart (png)",
    response_class=Response,
    responses={
        200: answer(
            content={MEDIA["xlsx"]: {}, MEDIA["png"]: {}},
            description="ledger.xlsx (one sheet per table) or departments.png",
        ),
        **AUTH,
        **NOT_FOUND,
    },
)
def export_ledger(
    request: Request,
    dataset_id: DatasetId,
    session: SessionDep,
    key: Reader,
    start: From = None,
    end: To = None,
    format: Annotated[Literal["xlsx", "png"], Query(description="file format")] = "xlsx",
) -> Response:
    found = _ledger(request, session, dataset_id, start, end)
    name = "ledger.xlsx" if format == "xlsx" else "departments.png"
    return Response(
        found.files()[name],
        media_type=MEDIA[format],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/datasets/{dataset_id}/volunteers/{volunteer_id}/certificate",
    summary="A volunteer's service record certificate (志愿服务记录证明) as PDF",
    description=(
        "The record's fields: basic data, each service entry of the period with its hours "
        "and points, the totals and star level, and the issuing organisation (`issuer`). "
        "Coordinators and admins, who issue it when the volunteer asks; written to the "
        "audit log."
    ),
    response_class=Response,
    responses={
        200: answer(content={"application/pdf": {}}, description="The certificate"),
        **AUTH,
        **NOT_FOUND,
    },
)
def certificate(
    request: Request,
    dataset_id: DatasetId,
    volunteer_id: VolunteerId,
    session: SessionDep,
    key: Writer,
    start: From = None,
    end: To = None,
    issuer: Annotated[
        str, Query(min_length=1, max_length=100, pattern=r"^[^\x00]*$", description="issued by")
    ] = "A社区居民委员会",  # i18n: not shown: the sample's issuer, printed in Chinese
) -> Response:
    found = _ledger(request, session, dataset_id, start, end)
    if volunteer_id not in found.problem.volunteer_index:
        raise HTTPException(
            status.HTTP_404_NOT_FOUND, _("no volunteer {id}").format(id=volunteer_id)
        )
    pdf = found.files((volunteer_id,), issuer)[f"{CERTIFICATES}/{volunteer_id}.pdf"]
    audit(
        session,
        key,
        "ledger.certificate",
        f"volunteer:{volunteer_id}",
        dataset_id=dataset_id,
        issuer=issuer,
    )
    session.commit()
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{volunteer_id}.pdf"'},
    )
