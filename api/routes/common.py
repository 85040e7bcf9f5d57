"""Helpers shared by the routes: dataset lookup, summaries and error responses."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import HTTPException, Path, status
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session

from api.schemas import DatasetSummary, ErrorMessage, UploadErrors
from api.store.datasets import find_dataset
from api.store.models import Dataset
from matcher.errors import DataIssue
from matcher.i18n import _


def answer(*, description: str, model: type | None = None, **more: Any) -> dict[str, Any]:
    """An entry of a route's ``responses``: its OpenAPI description (English, for programmers)."""
    return {"description": description, **({"model": model} if model else {}), **more}


NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: answer(model=ErrorMessage, description="No such thing")
}
AUTH: dict[int | str, dict[str, Any]] = {
    401: answer(model=ErrorMessage, description="Missing, unknown or revoked X-API-Key"),
    403: answer(model=ErrorMessage, description="The key's role may not do this"),
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: answer(model=ErrorMessage, description="Clashes with what is stored")
}


def get_dataset(session: Session, dataset_id: int) -> Dataset:
    """The dataset, or 404."""
    dataset = find_dataset(session, dataset_id)
    if dataset is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no dataset {id}").format(id=dataset_id))
    return dataset


def summary(dataset: Dataset, counts: dict[str, int]) -> DatasetSummary:
    """Response body of a dataset."""
    return DatasetSummary(
        id=dataset.id,
        name=dataset.name,
        created_at=dataset.created_at,
        updated_at=dataset.updated_at,
        horizon=dataset.horizon,
        counts=counts,
    )


DatasetId = Annotated[int, Path(ge=1, le=2_147_483_647, description="dataset id")]


def upload_errors(issues: Sequence[DataIssue], workdir: FilePath) -> JSONResponse:
    """400 with every issue of an upload; the server's temporary paths become what was sent.

    ``workdir`` is where the upload was staged (a folder of CSV files goes to
    its ``dataset`` subfolder).
    """

    def clean(text: str) -> str:
        upload = _("the upload")
        return text.replace(str(workdir / "dataset"), upload).replace(str(workdir) + "/", "")

    body = UploadErrors.model_validate(
        {
            "errors": [
                {
                    "file": clean(i.file),
                    "row": i.row,
                    "column": i.column,
                    "message": clean(i.message),
                }
                for i in issues
            ]
        }
    )
    return JSONResponse(body.model_dump(), status_code=status.HTTP_400_BAD_REQUEST)
