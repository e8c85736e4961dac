"""The recruiter page and the JSON API, as one FastAPI app (``roleclass serve``).

``create_app(scorer=None)`` builds it around one loaded Scorer:

* ``GET /``: the page; ``POST /`` scores the pasted title and posting and shows the
  verdict, the title claim, the duties found and the posting with the deciding phrases
  highlighted, and the review flag; ``POST /report`` takes a CSV/TSV/JSONL/Parquet upload
  and returns the mismatch report (``report.mismatch_report``, scored by the app's own
  Scorer under its lock) as a download.
* ``POST /api/score``: ``{"text": ..., "title": ...}`` -> the same JSON as ``score --json``.
* ``POST /api/batch``: a JSON list of ``{"text", "title", "id"}`` or a file upload -> one
  result per posting through the batch row path (``rows.score_rows``): the columns
  ``roleclass batch`` writes (``schema.ADDED``) and the ``score --json`` object, or the
  row's ``error`` (an internal error on one posting included: never a 500).
* ``/docs``: the OpenAPI page.

Errors are answers, never a 500: a body over ``max_body_bytes`` gets 413, malformed JSON
400, a body of the wrong shape or a posting roleclass cannot read (``InputError``) 422,
each with a ``detail`` message. Posting text reaches HTML only through Jinja's
autoescaping, and pages carry a Content-Security-Policy that allows no script at all.
"""

from __future__ import annotations

import json
import tempfile
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from jinja2 import Environment, FileSystemLoader, select_autoescape
from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError, create_model
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as FormFile
from starlette.exceptions import HTTPException

from roleclass import __version__, schema
from roleclass.errors import InputError, RoleclassError
from roleclass.labels import VERDICTS
from roleclass.result import ScoreResult
from roleclass.scorer import Scorer
from roleclass.web.limits import (
    BODY_TIMEOUT_S,
    MAX_BODY_BYTES,
    BodyLimit,
)
from roleclass.web.view import page_view

HERE = Path(__file__).parent
MAX_BATCH_POSTINGS = 2_000  # postings per /api/batch request; `roleclass batch` takes more
BATCH_LOCK_POSTINGS = 8  # postings scored per turn of the lock (the page waits at most this many)
REPORT_FORMATS = {"csv": ".csv", "md": ".md", "jsonl": ".jsonl"}
REPORT_MEDIA = {"csv": "text/csv", "md": "text/markdown", "jsonl": "application/x-ndjson"}
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
DESCRIPTION = """Say whether a job posting is really **sales**, **marketing**, a mislabeled **hybrid**,
or **other**, with a calibrated confidence and the phrases that decided it.

`POST /api/score` returns exactly what `roleclass score --json` prints. Errors carry a `detail`
message: 400 malformed JSON, 413 a body over the size limit, 415 a content type the endpoint
does not take, 422 a body of the wrong shape or a posting roleclass cannot read."""


class ScoreRequest(BaseModel):
    """One posting to score."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Marketing Director",
                    "text": "Make at least 50 outbound calls and 50 outbound emails a day to your own rolodex.",
                }
            ]
        },
    )
    text: str = Field(description="The posting: plain text or job-board HTML.")
    title: str | None = Field(None, description="The posting's title, checked against the duties.")


class BatchPosting(ScoreRequest):
    """One posting of a batch, with an optional id that comes back with its result."""

    id: str | int | None = Field(None, description="Your id for the posting, returned as given.")


def _batch_item_model() -> type[BaseModel]:
    """One /api/batch result: the row, its id and title, the batch columns (``schema.ADDED``,
    the columns ``roleclass batch`` adds, typed as the schema says) and the full
    ``score --json`` object."""
    fields: dict[str, Any] = {
        "row": (int, Field(description="1-based position in the list or data row in the file.")),
        "id": (str | int | None, None),
        "title": (str | None, None),
    }
    for column in schema.ADDED:
        fields[column.name] = (column.python_type, Field(None, description=column.doc))
    fields["result"] = (
        ScoreResult | None,
        Field(None, description="The `score --json` object; null when `error` is set."),
    )
    return create_model("BatchItem", **fields)


class BatchSummary(BaseModel):
    postings: int
    verdicts: dict[str, int]
    mismatches: int
    errors: int


def _batch_response_model() -> type[BaseModel]:
    """The /api/batch answer, built when the app is (from the schema as it is then)."""
    item = _batch_item_model()
    return create_model("BatchResponse", results=(list[item], ...), summary=(BatchSummary, ...))  # type: ignore[valid-type]


class ErrorResponse(BaseModel):
    detail: str


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in [
        (400, "Malformed JSON"),
        (413, "Request body over the size limit"),
        (422, "A body of the wrong shape, or a posting roleclass cannot read"),
    ]
}
_POSTINGS = TypeAdapter(list[BatchPosting])


# -- the app ------------------------------------------------------------------------------
def _validation_message(errors: list[dict[str, Any]], api: bool = True) -> tuple[int, str]:
    """(status, message) for FastAPI's validation errors: 400 for malformed JSON, else 422."""
    for error in errors:
        if error.get("type") == "json_invalid":
            reason = (error.get("ctx") or {}).get("error", "JSON decode error")
            position = error.get("loc", ("body", None))[-1]
            where = f" at character {position}" if isinstance(position, int) else ""
            return 400, f"the body is not valid JSON: {reason}{where}"
    parts = []
    for error in errors:
        where = ".".join(str(p) for p in error.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    hint = ' (send a JSON object {"text": "...", "title": "..."} with Content-Type: application/json)'
    return 422, "; ".join(parts) + (hint if api else "")


def _summary(items: list[dict[str, Any]]) -> dict[str, Any]:
    verdicts = dict.fromkeys(VERDICTS, 0)
    for item in items:
        if item["result"] is not None and item["result"]["verdict"] in verdicts:
            verdicts[item["result"]["verdict"]] += 1
    return {
        "postings": len(items),
        "verdicts": verdicts,
        "mismatches": sum(1 for i in items if i["result"] is not None and i["result"]["mismatch"]),
        "errors": sum(1 for i in items if i["error"] is not None),
    }


def _upload_suffix(filename: str | None, fmt: str | None) -> str:
    """The file suffix the batch readers go by, from the upload's name or a format field."""
    from roleclass.formats import EXTENSIONS, FORMATS

    if fmt:
        if fmt not in FORMATS:
            raise InputError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
        return "." + fmt
    suffix = Path(filename or "").suffix.lower()
    if suffix not in EXTENSIONS:
        raise InputError(
            f"cannot tell the format of {filename or 'the upload'!r}: name it .csv, .tsv, .jsonl or .parquet"
        )
    return suffix


def _save_upload(upload: FormFile, folder: str, fmt: str | None = None) -> Path:
    path = Path(folder) / ("upload" + _upload_suffix(upload.filename, fmt))
    with path.open("wb") as out:
        while chunk := upload.file.read(1 << 20):
            out.write(chunk)
    if path.stat().st_size == 0:
        raise InputError(f"the uploaded file {upload.filename or ''!r} is empty")
    return path


def create_app(
    scorer: Scorer | None = None,
    *,
    model_path: str | Path | None = None,
    trust: bool = False,
    max_body_bytes: int = MAX_BODY_BYTES,
    max_batch: int = MAX_BATCH_POSTINGS,
    body_timeout: float = BODY_TIMEOUT_S,
) -> FastAPI:
    """The app around ``scorer`` (default: the model at ``model_path``, else the shipped one).

    Every posting, one at a time, the batch API's and the mismatch report's included, is
    scored by this one Scorer under one lock (spaCy pipelines are shared state): the app
    never loads a second model.
    """
    scorer = scorer or Scorer.load(model_path, trust=trust)
    lock = threading.Lock()  # one posting at a time through the scorer (spaCy and sklearn state)
    templates = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )

    def page(context: dict[str, Any] | None = None, status: int = 200) -> HTMLResponse:
        base = {"title": "", "text": "", "error": None, "view": None, "version": __version__}
        html = templates.get_template("index.html").render({**base, **(context or {})})
        return HTMLResponse(html, status_code=status, headers=PAGE_HEADERS)

    def error_response(path: str, status: int, message: str) -> Response:
        if path.startswith("/api") or path.startswith("/docs") or path.startswith("/openapi"):
            return JSONResponse({"detail": message}, status_code=status)
        return page({"error": message}, status)

    def score(text: Any, title: Any) -> ScoreResult:
        with lock:
            return scorer.score(text, title)

    app = FastAPI(
        title="roleclass",
        version=__version__,
        description=DESCRIPTION,
        responses={413: ERRORS[413]},
    )
    app.state.score_lock = lock
    app.add_middleware(BodyLimit, limit=max_body_bytes, respond=error_response, timeout=body_timeout)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if request.url.path == "/api/score" and not _is_json(content_type):
            return error_response(
                request.url.path, 415, f"Content-Type {content_type or 'none'!r}: send application/json"
            )
        status, message = _validation_message(list(exc.errors()), request.url.path.startswith("/api"))
        return error_response(request.url.path, status, message)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        response = error_response(request.url.path, exc.status_code, str(exc.detail))
        response.headers.update(exc.headers or {})
        return response

    @app.exception_handler(RoleclassError)
    async def roleclass_error(request: Request, exc: RoleclassError) -> Response:
        return error_response(request.url.path, 422, str(exc))

    @app.exception_handler(Exception)
    async def internal_error(request: Request, exc: Exception) -> Response:
        return error_response(request.url.path, 500, f"internal error ({type(exc).__name__}): {exc}")

    # -- the page -------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        return page()

    @app.post("/", response_class=HTMLResponse, include_in_schema=False)
    def score_page(text: Annotated[str, Form()] = "", title: Annotated[str, Form()] = "") -> HTMLResponse:
        context: dict[str, Any] = {"title": title, "text": text}
        try:
            result = score(text, title or None)
        except InputError as exc:
            return page({**context, "error": str(exc)}, 422)
        return page({**context, "view": page_view(result, _suggestion(result))})

    def _suggestion(result: ScoreResult) -> str:
        from roleclass.suggest import suggest_title

        if not result.mismatch:
            return ""
        model = getattr(scorer, "model", None)
        return suggest_title(getattr(model, "title_suggester", None), result)

    @app.post("/report", include_in_schema=False)
    def report_page(
        file: Annotated[UploadFile, File()], report_format: Annotated[str, Form()] = "csv"
    ) -> Response:
        from roleclass.report import mismatch_report

        if report_format not in REPORT_FORMATS:
            return page({"error": f"unknown report format {report_format!r}"}, 422)
        with tempfile.TemporaryDirectory(prefix="roleclass-web-") as folder:
            try:
                source = _save_upload(file, folder)
                target = Path(folder) / ("mismatches" + REPORT_FORMATS[report_format])
                summary, entries = mismatch_report(
                    source, target, scorer=scorer, lock=lock, chunk_size=BATCH_LOCK_POSTINGS
                )
            except InputError as exc:
                return page({"error": str(exc)}, 422)
            content = target.read_bytes()
        stem = Path(file.filename or "postings").stem or "postings"
        headers = {
            "Content-Disposition": f'attachment; filename="{_safe_name(stem)}-mismatches{REPORT_FORMATS[report_format]}"',
            "X-Roleclass-Rows": str(summary.rows),
            "X-Roleclass-Mismatches": str(len(entries)),
            "X-Roleclass-Errors": str(summary.errors),
        }
        return Response(content, media_type=REPORT_MEDIA[report_format] + "; charset=utf-8", headers=headers)

    # -- the API --------------------------------------------------------------------------
    @app.post(
        "/api/score",
        response_model=ScoreResult,
        responses={400: ERRORS[400], 422: ERRORS[422]},
        summary="Score one posting",
        tags=["api"],
    )
    def api_score(posting: ScoreRequest) -> Response:
        """The verdict, confidence, title claim, mismatch flag, duties and the deciding phrases
        (with offsets into `text`) for one posting: the same JSON as `roleclass score --json`."""
        result = score(posting.text, posting.title)
        return Response(result.to_json(), media_type="application/json")

    @app.post(
        "/api/batch",
        response_model=_batch_response_model(),
        responses={400: ERRORS[400], 413: ERRORS[413], 415: {"model": ErrorResponse}, 422: ERRORS[422]},
        summary="Score many postings",
        tags=["api"],
        openapi_extra={
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {
                        "schema": {"type": "array", "items": {"$ref": "#/components/schemas/BatchPosting"}}
                    },
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "required": ["file"],
                            "properties": {
                                "file": {
                                    "type": "string",
                                    "format": "binary",
                                    "description": "CSV, TSV, JSON Lines or Parquet, named by its extension; "
                                    "columns as for `roleclass batch` (description or text, title, id).",
                                },
                                "format": {"type": "string", "enum": ["csv", "tsv", "jsonl", "parquet"]},
                            },
                        }
                    },
                },
            }
        },
    )
    async def api_batch(request: Request) -> Response:
        """A JSON list of postings, or a file upload (form field `file`), scored one by one.
        Each result is the `score --json` object, or an `error` for a posting that cannot
        be read; the rest go on. At most `max_batch` postings per request."""
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if _is_json(content_type):
            items = await run_in_threadpool(_score_list, _parse_postings(await request.body()))
        elif content_type == "multipart/form-data":
            form = await request.form(max_files=1, max_fields=10)
            upload = form.get("file")
            if not isinstance(upload, FormFile):
                raise HTTPException(422, "no file: send the postings as the form field 'file'")
            fmt = form.get("format")
            items = await run_in_threadpool(_score_upload, upload, fmt if isinstance(fmt, str) else None)
        else:
            raise HTTPException(
                415, f"Content-Type {content_type or 'none'!r}: send application/json or multipart/form-data"
            )
        body = {"results": items, "summary": _summary(items)}
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")

    def _parse_postings(raw: bytes) -> list[BatchPosting]:
        try:
            data = json.loads(raw)
        except UnicodeDecodeError as exc:
            raise HTTPException(400, f"the body is not UTF-8 (byte {exc.start})") from exc
        except json.JSONDecodeError as exc:
            raise HTTPException(400, f"the body is not valid JSON: {exc}") from exc
        except RecursionError as exc:
            raise HTTPException(
                400, "the body is JSON nested too deeply: send a list of flat objects"
            ) from exc
        if not isinstance(data, list):
            raise HTTPException(
                422, f'expected a JSON list of {{"text", "title", "id"}} objects, got {type(data).__name__}'
            )
        if len(data) > max_batch:
            raise HTTPException(
                413, f"{len(data):,} postings; the limit is {max_batch:,} a request (use `roleclass batch`)"
            )
        try:
            return _POSTINGS.validate_python(data)
        except ValidationError as exc:
            problems = []
            for error in exc.errors():
                index, *field = error["loc"]
                where = ".".join(str(p) for p in field) or "posting"
                problems.append(
                    f"posting {index + 1 if isinstance(index, int) else index}: {where}: {error['msg']}"
                )
            raise HTTPException(422, "; ".join(problems)) from exc

    def _items(rows: Any, columns: Any) -> list[dict[str, Any]]:
        """The /api/batch results: the one row path (``rows.score_rows``), the lock taken for
        a few postings at a time so the page is not held up by a long batch."""
        from roleclass.rows import score_rows

        items = []
        for scored in score_rows(scorer, rows, columns, lock=lock, batch_size=BATCH_LOCK_POSTINGS):
            row = scored.row
            ident = _plain(row.values.get(columns.id)) if columns.id else None
            result = scored.result.to_dict() if scored.result is not None else None
            items.append(
                {"row": row.number, "id": ident, "title": row.title, **scored.added, "result": result}
            )
        return items

    def _score_list(postings: list[BatchPosting]) -> list[dict[str, Any]]:
        from roleclass.rows import Columns

        return _items((p.model_dump() for p in postings), Columns("text", "title", "id"))

    def _score_upload(upload: FormFile, fmt: str | None) -> list[dict[str, Any]]:
        from roleclass.formats import ReadOptions, detect_format, open_reader
        from roleclass.rows import SCORE_BATCH

        cleanups: list[Any] = []
        with tempfile.TemporaryDirectory(prefix="roleclass-web-") as folder:
            try:
                source = _save_upload(upload, folder, fmt)
                reader = open_reader(
                    source, detect_format(source), ReadOptions(chunk_size=SCORE_BATCH), cleanups
                )
                return _items(_at_most(reader, max_batch), reader.columns)
            finally:
                for cleanup in reversed(cleanups):
                    cleanup()

    return app


def _at_most(rows: Any, limit: int) -> Any:
    """The rows of an upload, refused with 413 past ``limit``."""
    for count, row in enumerate(rows, start=1):
        if count > limit:
            raise HTTPException(
                413, f"over {limit:,} postings; the limit is {limit:,} a request (use `roleclass batch`)"
            )
        yield row


def _is_json(content_type: str) -> bool:
    return content_type == "application/json" or content_type.endswith("+json")


def _plain(value: Any) -> str | int | None:
    """An id as JSON can carry it: text or a whole number as given, anything else as text."""
    if value is None or isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    return str(value)


def _safe_name(stem: str) -> str:
    """A download file name with nothing that could break the header."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in stem)[:80] or "postings"
