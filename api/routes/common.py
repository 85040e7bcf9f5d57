"""Helpers shared by the routes: dataset lookup, counts and error responses."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import HTTPException, Path, status
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.schemas import DatasetSummary, ErrorMessage
from api.store.models import Dataset, DatasetItem, HouseholdRecord, NeedRecord, VolunteerRecord

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorMessage, "description": "No such thing"}
}
AUTH: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorMessage, "description": "Missing, unknown or revoked X-API-Key"},
    403: {"model": ErrorMessage, "description": "The key's role may not do this"},
}
CONFLICT: dict[int | str, dict[str, Any]] = {
    409: {"model": ErrorMessage, "description": "Clashes with what is stored"}
}


def get_dataset(session: Session, dataset_id: int) -> Dataset:
    """The dataset, or 404."""
    dataset = session.get(Dataset, dataset_id)
    if dataset is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no dataset {dataset_id}")
    return dataset


def dataset_counts(session: Session, dataset_ids: list[int]) -> dict[int, dict[str, int]]:
    """Rows of each kind per dataset (kinds without rows are 0 for the main three)."""
    counts: dict[int, dict[str, int]] = {
        i: {"volunteers": 0, "households": 0, "needs": 0} for i in dataset_ids
    }
    if not dataset_ids:
        return counts
    for model, kind in (
        (VolunteerRecord, "volunteers"),
        (HouseholdRecord, "households"),
        (NeedRecord, "needs"),
    ):
        rows = session.execute(
            select(model.dataset_id, func.count())
            .where(model.dataset_id.in_(dataset_ids))
            .group_by(model.dataset_id)
        )
        for dataset_id, count in rows:
            counts[dataset_id][kind] = count
    rows = session.execute(
        select(DatasetItem.dataset_id, DatasetItem.kind, func.count())
        .where(DatasetItem.dataset_id.in_(dataset_ids))
        .group_by(DatasetItem.dataset_id, DatasetItem.kind)
    )
    for dataset_id, kind, count in rows:
        counts[dataset_id][kind] = count
    return counts


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
