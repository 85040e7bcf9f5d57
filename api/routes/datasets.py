"""Datasets: upload (CSV files, a ZIP of them or an XLSX workbook), list, get, delete."""

from __future__ import annotations

import contextlib
import dataclasses
import re
import tempfile
import zipfile
from pathlib import Path, PurePosixPath
from typing import Annotated

from fastapi import APIRouter, File, Form, HTTPException, Request, UploadFile, status

from api.deps import Reader, SessionDep, Writer
from api.guards import forbidden_character
from api.routes.common import (
    AUTH,
    NOT_FOUND,
    DatasetId,
    answer,
    get_dataset,
    summary,
    upload_errors,
)
from api.schemas import (
    DataIssueModel,
    DatasetSummary,
    DeleteReport,
    ErrorMessage,
    UploadErrors,
)
from api.store.audit import audit
from api.store.datasets import (
    all_datasets,
    dataset_counts,
    delete_dataset,
    problem_counts,
    save_problem,
)
from matcher.data_warnings import problem_warnings
from matcher.errors import DataError, DataIssue, DatasetTooLargeError
from matcher.i18n import N_, _
from matcher.io import load_dataset_with_warnings

router = APIRouter(prefix="/datasets", tags=["datasets"])

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
UPLOAD_HELP = N_("several CSV files (volunteers.csv, needs.csv, ...), one ZIP of them or one .xlsx")
"""What an upload may be: the form field's description, and (translated) part of messages."""


def _file_name(raw: str | None) -> str:
    """The base name of an uploaded file, never a path."""
    name = PurePosixPath((raw or "").replace("\\", "/")).name.strip()
    if not name or name in (".", ".."):
        raise DataError.at("upload", _("expected every uploaded file to have a name"))
    if (problem := forbidden_character(name)) or _CONTROL.search(name):
        # the name becomes a file on disk and the dataset's default name in the database
        raise DataError.at(
            "upload",
            _("expected a file name of printable text, found {problem}").format(
                problem=problem or _("a control character")
            ),
        )
    return name


def _zip_member_name(info: zipfile.ZipInfo) -> str:
    """Member name; names from Chinese Windows zippers are GBK mislabelled as CP437."""
    name = info.filename
    if not info.flag_bits & 0x800:
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("gbk")
    return PurePosixPath(name.replace("\\", "/")).name


def _unzip(archive: Path, folder: Path, limit: int) -> Path:
    """Extract the CSV files (or the one workbook) of a ZIP, flattened, within ``limit`` bytes."""
    label = archive.name
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [
                (info, _zip_member_name(info))
                for info in zipped.infolist()
                if not info.is_dir() and "__MACOSX" not in info.filename
            ]
            members = [(i, n) for i, n in members if n and not n.startswith(".")]
            csvs = [(i, n) for i, n in members if n.casefold().endswith(".csv")]
            books = [(i, n) for i, n in members if n.casefold().endswith(WORKBOOK_SUFFIXES)]
            chosen = csvs or books[:1]
            if not chosen:
                raise DataError.at(
                    label,
                    _("expected CSV files or an .xlsx in the ZIP; {upload_help}").format(
                        upload_help=_(UPLOAD_HELP)
                    ),
                )
            if not csvs and len(books) > 1:
                raise DataError.at(
                    label, _("expected one .xlsx workbook in the ZIP, found several")
                )
            if sum(info.file_size for info, _unused in chosen) > limit:
                raise DataError.at(
                    label, _("the unpacked files exceed {limit} bytes").format(limit=limit)
                )
            seen: set[str] = set()
            total = 0
            for info, name in chosen:
                if name.casefold() in seen:
                    raise DataError.at(
                        label,
                        _("expected one file named {name}, found several").format(name=name),
                    )
                seen.add(name.casefold())
                with zipped.open(info) as member:
                    data = member.read(limit - total + 1)
                total += len(data)
                if total > limit:  # the sizes in the directory lied
                    raise DataError.at(
                        label, _("the unpacked files exceed {limit} bytes").format(limit=limit)
                    )
                (folder / name).write_bytes(data)
            return folder / chosen[0][1] if not csvs else folder
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError) as exc:
        raise DataError.at(
            label, _("not a readable ZIP archive: {error}").format(error=exc)
        ) from exc


def _stage(files: list[UploadFile], workdir: Path, limit: int) -> tuple[Path, str]:
    """Write the upload where :func:`load_dataset` reads it; return that path and a name."""
    names = [_file_name(f.filename) for f in files]
    lowered = [n.casefold() for n in names]
    folder = workdir / "dataset"
    folder.mkdir()
    if len(files) == 1 and lowered[0].endswith((".zip", *WORKBOOK_SUFFIXES)):
        target = workdir / names[0]
        with target.open("wb") as out:
            files[0].file.seek(0)
            while chunk := files[0].file.read(1 << 20):
                out.write(chunk)
        stem = target.stem
        if lowered[0].endswith(".zip"):
            return _unzip(target, folder, limit), stem
        return target, stem
    issues = [
        DataIssue(name, None, None, _("expected {upload_help}").format(upload_help=_(UPLOAD_HELP)))
        for name, low in zip(names, lowered, strict=True)
        if not low.endswith(".csv")
    ]
    issues += [
        DataIssue(name, None, None, _("expected each file once, found it again"))
        for i, (name, low) in enumerate(zip(names, lowered, strict=True))
        if low in lowered[:i]
    ]
    if issues:
        raise DataError(issues)
    for upload, name in zip(files, names, strict=True):
        upload.file.seek(0)
        data = upload.file.read()
        (folder / name).write_bytes(data)
    return folder, "upload"


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Upload a dataset",
    description=(
        "Upload a whole dataset as several CSV files, one ZIP of CSV files or one XLSX "
        "workbook (the format of docs/data-format.md). It is stored all or nothing: any "
        "problem answers 400 listing every issue by file, row and column, and nothing is "
        "stored. Coordinators and admins only."
    ),
    responses={
        400: answer(model=UploadErrors, description="The data has problems; nothing was stored"),
        413: answer(model=ErrorMessage, description="The upload is too large"),
        **AUTH,
    },
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "examples": {
                        "csv": {
                            "summary": "CSV files (curl -F files=@volunteers.csv -F ...)",
                            "value": {
                                "name": "社区A",
                                "files": ["volunteers.csv", "needs.csv", "availability.csv"],
                            },
                        },
                        "workbook": {
                            "summary": "One workbook "
                            "(datasets/template.xlsx filled in)",  # i18n: not shown: OpenAPI
                            "value": {"name": "社区A 十月", "files": ["社区A.xlsx"]},
                        },
                    }
                }
            }
        }
    },
)
def upload_dataset(
    request: Request,
    session: SessionDep,
    key: Writer,
    files: Annotated[list[UploadFile], File(description=UPLOAD_HELP)],
    name: Annotated[str | None, Form(max_length=200, description="dataset name")] = None,
) -> DatasetSummary:
    if name is not None and (problem := forbidden_character(name)):
        raise HTTPException(
            status.HTTP_422_UNPROCESSABLE_CONTENT,
            [
                {
                    "type": "string_unstorable",
                    "loc": ["body", "name"],
                    "msg": _("text the service cannot store: {problem}").format(problem=problem),
                }
            ],
        )
    limit = request.app.state.settings.max_upload_bytes
    with tempfile.TemporaryDirectory(prefix="matcher-upload-") as tmp:
        workdir = Path(tmp)
        try:
            path, stem = _stage(files, workdir, limit)
            problem, warnings = load_dataset_with_warnings(
                path, request.app.state.settings.read_limits
            )
        except DatasetTooLargeError as error:
            # the work an upload may cause is bounded, not only its bytes (a zipped workbook)
            raise HTTPException(
                status.HTTP_413_CONTENT_TOO_LARGE,
                _("{file}: {message}").format(file=error.file, message=error.issues[0].message),
            ) from error
        except DataError as error:
            return upload_errors(error.issues, workdir)  # type: ignore[return-value]
    dataset = save_problem(session, problem, name=name or stem, created_by=key.id)
    counts = problem_counts(problem)
    audit(session, key, "dataset.create", f"dataset:{dataset.id}", name=dataset.name, counts=counts)
    session.commit()
    answer = summary(dataset, counts)
    answer.warnings = [DataIssueModel(**dataclasses.asdict(w)) for w in warnings] + [
        DataIssueModel(file=w.kind, row=None, column=w.field, message=w.message)
        for w in problem_warnings(problem)
    ]
    return answer


@router.get(
    "",
    summary="List datasets",
    responses=AUTH,
)
def list_datasets(session: SessionDep, key: Reader) -> list[DatasetSummary]:
    datasets = all_datasets(session)
    counts = dataset_counts(session, [d.id for d in datasets])
    return [summary(d, counts[d.id]) for d in datasets]


@router.get(
    "/{dataset_id}",
    summary="Get a dataset with its row counts",
    responses={**AUTH, **NOT_FOUND},
)
def read_dataset(dataset_id: DatasetId, session: SessionDep, key: Reader) -> DatasetSummary:
    dataset = get_dataset(session, dataset_id)
    return summary(dataset, dataset_counts(session, [dataset_id])[dataset_id])


@router.delete(
    "/{dataset_id}",
    summary="Delete a dataset and all its rows",
    responses={**AUTH, **NOT_FOUND},
)
def remove_dataset(dataset_id: DatasetId, session: SessionDep, key: Writer) -> DeleteReport:
    counts = dataset_counts(session, [dataset_id])[dataset_id]
    if not delete_dataset(session, dataset_id):
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no dataset {id}").format(id=dataset_id))
    audit(session, key, "dataset.delete", f"dataset:{dataset_id}", counts=counts)
    session.commit()
    return DeleteReport(deleted=f"dataset:{dataset_id}", removed=counts)
