"""What the POST endpoints read: an uncompressed JSON body, parsed so that every bad body is a 4xx
naming the field, never FastAPI's bare `400 There was an error parsing the body`.

- Content-Type other than JSON: 415 naming the header (a text/plain or form body would otherwise be
  a confusing 422 "Input should be a valid dictionary").
- Any Content-Encoding but identity: 415 naming that header, with `Accept-Encoding: identity`
  (RFC 7694, section 3). Bodies are a few dozen bytes; compressing them gains nothing.
- A JSON body that is not UTF-8 (RFC 8259, section 8.1), or nested deeper than MAX_JSON_DEPTH:
  the 422 of malformed JSON (field `body`, type `json_invalid`).

Both header checks run before the body is read (JsonBodyRoute), so they come before any body error.
"""

from __future__ import annotations

import json
from email.message import Message

from fastapi import Request, Response
from fastapi.routing import APIRoute

EXPECTED = "application/json"
# The API's bodies nest 3 levels (heatmap: body, range, topleft); unknown fields are ignored but
# still parsed, so this leaves room for a client's extra fields while refusing [[[[...]]]] bombs
# long before Python's recursion limit (which the JSON parser would otherwise hit at ~1,000).
MAX_JSON_DEPTH = 32


class UnsupportedMediaType(Exception):
    def __init__(self, received: str | None):
        got = f"got {received}" if received else "the request has no Content-Type"
        super().__init__(f"send the body as JSON with Content-Type: {EXPECTED}; {got}")


class UnsupportedContentEncoding(Exception):
    def __init__(self, received: str):
        super().__init__(f"send the body uncompressed, without Content-Encoding; got {received}")


SHOWN_CHARS = 60


def shown(value: str) -> str:
    """A client's header value as an error message can carry it: printable ASCII kept, any other
    character as a \\xNN escape (headers arrive as Latin-1, one character per byte), cut to
    SHOWN_CHARS characters."""
    text = "".join(c if " " <= c <= "~" else f"\\x{ord(c):02x}" for c in value.strip())
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS] + "..."


def _media_type(content_type: str) -> str:
    """The media type as the client wrote it: the header without its parameters (a boundary, a
    charset), or the whole header when that leaves nothing. Not email.message's reading of it,
    which turns anything it cannot parse (`\\x7f`, `application/json, text/plain`) into text/plain."""
    return content_type.split(";", 1)[0].strip() or content_type


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


def check_headers(request: Request) -> None:
    """Content-Type must be JSON and the body not encoded. A missing Content-Type is refused too:
    FastAPI would not parse such a body as JSON either."""
    content_type = request.headers.get("content-type", "").strip()
    if not content_type:
        raise UnsupportedMediaType(None)
    if not is_json(content_type):
        raise UnsupportedMediaType(shown(_media_type(content_type)))
    encoding = ", ".join(request.headers.getlist("content-encoding"))  # every such header counts
    if any(coding.strip().lower() not in ("", "identity") for coding in encoding.split(",")):
        raise UnsupportedContentEncoding(shown(encoding))


def _too_deep(body: bytes) -> int | None:
    """The offset of the first bracket nested deeper than MAX_JSON_DEPTH, outside strings."""
    if body.count(b"[") + body.count(b"{") <= MAX_JSON_DEPTH:
        return None  # the usual case, decided at C speed
    depth, in_string, escaped = 0, False, False
    for offset, byte in enumerate(body):
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > MAX_JSON_DEPTH:
                return offset
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return None


def parse_json(body: bytes):
    """json.loads, with every failure a JSONDecodeError, which FastAPI turns into the 422 of
    malformed JSON (anything else it would answer with a bare 400)."""
    deep = _too_deep(body)
    if deep is not None:
        raise json.JSONDecodeError(f"nested deeper than {MAX_JSON_DEPTH} levels", "", deep)
    try:
        # RFC 8259, section 8.1: JSON exchanged between systems is UTF-8; a leading byte order
        # mark may be ignored. (json.loads on bytes would also take UTF-16 and UTF-32, and lone
        # surrogates, which are not UTF-8.)
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise json.JSONDecodeError("the body is not UTF-8 text", "", error.start) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        raise
    except (ValueError, RecursionError) as error:  # e.g. a number over int()'s digit limit
        raise json.JSONDecodeError(type(error).__name__, "", 0) from None


class JsonRequest(Request):
    async def json(self):
        if not hasattr(self, "_json"):
            self._json = parse_json(await self.body())
        return self._json


class JsonBodyRoute(APIRoute):
    """A route whose headers are checked before its body is read, and whose body is parsed by
    parse_json (FastAPI's documented extension point: a custom APIRoute and Request class)."""

    def get_route_handler(self):
        handler = super().get_route_handler()

        async def checked_handler(request: Request) -> Response:
            check_headers(request)
            return await handler(JsonRequest(request.scope, request.receive))

        return checked_handler
