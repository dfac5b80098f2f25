"""Every error as JSON: 422 naming the field, 415 naming the header (Content-Type or Content-Encoding)
and what it should be, 503 when the table is unavailable. (413 and 500 come from app.middleware.)"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from app.heatmap import TooManyCells
from app.media import UnsupportedContentEncoding, UnsupportedMediaType
from app.store import StoreUnavailable

log = logging.getLogger("app.error")


def _field(loc) -> str:
    parts = [str(part) for part in loc if part != "body"]
    return ".".join(parts) or "body"


def _error(loc, msg: str, kind: str) -> dict:
    msg = msg.removeprefix("Value error, ")
    # For malformed JSON the location is a character offset in the body, not a field.
    field = "body" if kind == "json_invalid" else _field(loc)
    return {"loc": list(loc), "field": field, "msg": msg, "type": kind}


def _header_error(header: str, msg: str, kind: str) -> dict:
    """An error in a request header, in the shape of the 422 body's errors; the field is the header."""
    return {"loc": ["header", header], "field": header, "msg": msg, "type": kind}


def _message(error: dict) -> str:
    msg = error.get("msg", "invalid")
    # The JSON parser's reason ("Expecting value", "the body is not UTF-8 text") names no input.
    reason = (error.get("ctx") or {}).get("error")
    if error.get("type") == "json_invalid" and isinstance(reason, str):
        msg = f"{msg}: {reason}"
    return msg


async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    # The submitted values (`input`) are left out: they may be coordinates, and are the client's own anyway.
    details = [
        _error(e.get("loc", ("body",)), _message(e), e.get("type", "value_error")) for e in exc.errors()
    ]
    return JSONResponse(status_code=422, content={"detail": details})


async def too_many_cells(request: Request, exc: TooManyCells) -> JSONResponse:
    return JSONResponse(
        status_code=422, content={"detail": [_error(("body", "range"), str(exc), "too_many_cells")]}
    )


async def unsupported_media_type(request: Request, exc: UnsupportedMediaType) -> JSONResponse:
    # The 422 shape, so a client reads every input error the same way.
    error = _header_error("content-type", str(exc), "unsupported_media_type")
    return JSONResponse(status_code=415, content={"detail": [error]})


async def unsupported_content_encoding(request: Request, exc: UnsupportedContentEncoding) -> JSONResponse:
    error = _header_error("content-encoding", str(exc), "unsupported_content_encoding")
    # RFC 7694, section 3: a 415 for a content coding says which codings the server accepts.
    headers = {"Accept-Encoding": "identity"}
    return JSONResponse(status_code=415, content={"detail": [error]}, headers=headers)


async def store_unavailable(request: Request, exc: StoreUnavailable) -> JSONResponse:
    log.error("store unavailable", extra={"cause": str(exc)})
    return JSONResponse(
        status_code=503, content={"detail": "storage unavailable, retry later"}, headers={"Retry-After": "5"}
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(TooManyCells, too_many_cells)
    app.add_exception_handler(UnsupportedMediaType, unsupported_media_type)
    app.add_exception_handler(UnsupportedContentEncoding, unsupported_content_encoding)
    app.add_exception_handler(StoreUnavailable, store_unavailable)
