"""The POST endpoints read JSON only: any other Content-Type is a 415, not a confusing 422."""

from __future__ import annotations

from email.message import Message

from fastapi import Request

EXPECTED = "application/json"


class UnsupportedMediaType(Exception):
    def __init__(self, received: str | None):
        got = f"got {received}" if received else "the request has no Content-Type"
        super().__init__(f"send the body as JSON with Content-Type: {EXPECTED}; {got}")


def _parse(content_type: str) -> Message:
    message = Message()
    message["content-type"] = content_type
    return message


def is_json(content_type: str) -> bool:
    """The same test FastAPI applies before it parses a body as JSON: application/json or
    application/<anything>+json, any case, with any parameters (e.g. charset=utf-8)."""
    message = _parse(content_type)
    subtype = message.get_content_subtype()
    is_json_subtype = subtype == "json" or subtype.endswith("+json")
    return message.get_content_maintype() == "application" and is_json_subtype


def require_json(request: Request) -> None:
    """A dependency of the JSON endpoints. It runs before the body is validated, so a text/plain or
    form body gets this error rather than 'Input should be a valid dictionary'. A missing
    Content-Type is refused too: FastAPI would not parse such a body as JSON either."""
    content_type = request.headers.get("content-type", "").strip()
    if not content_type:
        raise UnsupportedMediaType(None)
    if not is_json(content_type):
        # Named without its parameters (a boundary, a charset) and capped: the header is the client's.
        raise UnsupportedMediaType(_parse(content_type).get_content_type()[:80])
