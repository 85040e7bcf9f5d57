"""The coordinators' page at ``/`` and the few small routes only the page needs.

The page itself is static (``static/index.html``, ``app.js``, ``app.css``):
everything it shows comes from the JSON API, called with the API key the
coordinator signs in with.  Besides the files, the page needs its texts in
the chosen language (``/ui/texts``), who the signed-in key is
(``/ui/key``: the role decides which buttons it shows) and the empty
template workbook (``/ui/template.xlsx``).
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import FileResponse, HTMLResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from api.deps import Reader, role_name
from api.routes.common import AUTH, answer
from api.web.texts import page_texts
from matcher.i18n import _, language
from matcher.io import write_template

router = APIRouter(tags=["page"])

STATIC = Path(__file__).parent / "static"

SCRIPT = "text/javascript; charset=utf-8"
ASSETS = {
    "app.css": "text/css; charset=utf-8",
    # ES modules: app.js imports core.js and one module per tab
    "app.js": SCRIPT,
    "core.js": SCRIPT,
    "data.js": SCRIPT,
    "plan.js": SCRIPT,
    "answers.js": SCRIPT,
    "keys.js": SCRIPT,
    "requests.js": SCRIPT,
    "day.js": SCRIPT,
    "ledger.js": SCRIPT,
    "whatif.js": SCRIPT,
    "pairing.js": SCRIPT,
}
"""The files the page loads, by name: only these are served (no path from the request)."""

SECURITY_HEADERS = {
    # Nothing but this service: no CDN, no inline script, no framing by another site.
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data: blob:; style-src 'self'; "
        "script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
        "form-action 'self'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
"""Headers of the page and its files."""

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class PageTexts(BaseModel):
    """The page's texts and the words for the codes the API answers with, in one language."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "lang": "zh",
                    "texts": {"sign_in": "登录", "badge_lead": "带队", "badge_party": "党员"},
                    "labels": {
                        "need_category": {"haircut": "义务理发"},
                        "proposal_state": {"confirmed": "已确认"},
                    },
                }
            ]
        }
    )

    lang: Literal["zh", "en"]
    texts: dict[str, str] = Field(description="text by the key the page names it with")
    labels: dict[str, dict[str, str]] = Field(description="kind of code -> code -> words")


class SignedInKey(BaseModel):
    """The key the request was made with: what the page may offer its holder."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 3,
                    "prefix": "1a2b3c4d",
                    "role": "coordinator",
                    "role_name": "协调员",
                    "label": "王老师 (社区办)",
                }
            ]
        }
    )

    id: int
    prefix: str = Field(description="the key's public part: mk_<prefix>_...")
    role: Literal["viewer", "coordinator", "admin"]
    role_name: str = Field(description="the role in the answer's language")
    label: str


@router.get(
    "/",
    summary="The coordinators' page (Chinese by default, for phones and desktops)",
    description=(
        "A single page that signs in with an API key and uses this API: datasets (upload, "
        "errors by row, browse), planning (progress, stop, the roster grid, unmet needs and "
        "whom to ask, publish, downloads), the volunteers' answers and, for admins, keys. "
        "It loads nothing from another host."
    ),
    response_class=HTMLResponse,
    responses={200: answer(content={"text/html": {}}, description="The page")},
)
def coordinator_page() -> HTMLResponse:
    return HTMLResponse(
        (STATIC / "index.html").read_text(encoding="utf-8"),
        headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"},
    )


@router.get("/ui/static/{name}", include_in_schema=False)
def page_asset(name: str) -> FileResponse:
    """One of the page's own files (:data:`ASSETS`); 404 for any other name."""
    if name not in ASSETS:
        raise HTTPException(status.HTTP_404_NOT_FOUND, _("no such file"))
    return FileResponse(
        STATIC / name,
        media_type=ASSETS[name],
        # revalidated on each load, so a new version of the service shows its new page
        headers={**SECURITY_HEADERS, "Cache-Control": "no-cache"},
    )


@router.get(
    "/ui/texts",
    summary="The page's texts in one language",
    description=(
        "Every text of the page by key, and the words for the codes the API answers with "
        "(need categories, membership, job statuses, proposal states ...), in `lang` "
        "(default: the request's language). No key needed: the sign-in form uses them."
    ),
)
def texts(
    lang: Annotated[
        Literal["zh", "en"] | None, Query(description="zh or en; default Accept-Language")
    ] = None,
) -> PageTexts:
    chosen = lang or language()
    words, labels = page_texts(chosen)
    return PageTexts(lang=chosen, texts=words, labels=labels)  # type: ignore[arg-type]


@router.get(
    "/ui/key",
    summary="The signed-in key: its role and whose it is",
    description="Tells the page which actions to offer (viewer, coordinator or admin).",
    responses=AUTH,
)
def signed_in_key(key: Reader) -> SignedInKey:
    return SignedInKey(
        id=key.id,
        prefix=key.prefix,
        role=key.role,  # type: ignore[arg-type]
        role_name=role_name(key.role),
        label=key.label,
    )


@functools.cache
def _template() -> bytes:
    """The template workbook, written once per process (it never changes while it runs)."""
    with tempfile.TemporaryDirectory(prefix="matcher-template-") as folder:
        path = Path(folder) / "template.xlsx"
        write_template(path)
        return path.read_bytes()


@router.get(
    "/ui/template.xlsx",
    summary="The empty dataset workbook to fill in (datasets/template.xlsx)",
    description=(
        "Every sheet with its Chinese headers, and a first sheet 说明 explaining each column. "
        "Holds no data, so it needs no key."
    ),
    response_class=Response,
    responses={200: answer(content={XLSX: {}}, description="The workbook")},
)
def template() -> Response:
    return Response(
        _template(),
        media_type=XLSX,
        headers={"Content-Disposition": 'attachment; filename="template.xlsx"'},
    )
