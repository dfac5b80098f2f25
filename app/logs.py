"""One JSON object per log line, so CloudWatch Logs Insights can filter on fields.

Every logger goes through one JSON handler on the root logger: the app's, uvicorn's (startup and
shutdown lines, "Invalid HTTP request received.", "Exception in ASGI application") and any
library's, plus Python warnings. LOG_LEVEL sets the level of the app's loggers, and app.serve
gives it to uvicorn for its own; libraries stay at WARNING whatever it is, because botocore at
DEBUG logs each request's parameters, and those hold the cells of a report (a cell is a place).

No line carries coordinates, client addresses or bodies: the app logs none, uvicorn's access log
(which prints client addresses) is off, and an exception is logged as its class and the frames it
went through, never its message (a message can quote the input).
"""

from __future__ import annotations

import json
import logging
import sys
import time
import traceback

LIBRARY_LEVEL = logging.WARNING
MAX_FRAMES = 12

_STANDARD = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}
# uvicorn passes a coloured copy of some messages for its own formatter.
_DROPPED = _STANDARD | {"color_message"}


def _frame(frame: traceback.FrameSummary) -> str:
    path = frame.filename.replace("\\", "/")
    # Relative to the package root (app/..., fastapi/...), not this machine's directories.
    for marker in ("/site-packages/", "/dist-packages/"):
        if marker in path:
            path = path.rsplit(marker, 1)[1]
            break
    else:
        path = "/".join(path.split("/")[-2:])
    return f"{path}:{frame.lineno} {frame.name}"


def exception_fields(error: BaseException) -> dict:
    """The exception's class and the innermost frames it went through; never its message."""
    frames = traceback.extract_tb(error.__traceback__)[-MAX_FRAMES:]
    return {"error": type(error).__name__, "frames": [_frame(frame) for frame in frames]}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Fields passed with `extra=` become top-level keys.
        line.update({k: v for k, v in record.__dict__.items() if k not in _DROPPED})
        if record.exc_info and record.exc_info[1] is not None:
            line.update(exception_fields(record.exc_info[1]))
        return json.dumps(line, default=str)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is when a record is emitted (as logging's last resort does)."""

    _json_handler = True  # marks the handler configure() installs, so a second call replaces it

    def __init__(self):
        super().__init__()
        self.setFormatter(JsonFormatter())

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value):
        pass


def configure(level: str) -> None:
    """Send every log line to stderr as JSON; `level` for the app's loggers."""
    root = logging.getLogger()
    kept = [h for h in root.handlers if not getattr(h, "_json_handler", False)]
    root.handlers[:] = [*kept, _StderrHandler()]
    root.setLevel(LIBRARY_LEVEL)
    # uvicorn's own config (when started as `uvicorn app.main:app`) gives its loggers plain-text
    # handlers and stops them propagating: undo that, so their lines reach the JSON handler.
    # (Their levels are uvicorn's: app.serve gives it the app's LOG_LEVEL.)
    for name in ("app", "uvicorn", "uvicorn.error", "uvicorn.asgi"):
        logger = logging.getLogger(name)
        logger.handlers[:] = []
        logger.propagate = True
    logging.getLogger("app").setLevel(level)
    logging.captureWarnings(True)  # warnings.warn(...) as log lines, not plain text on stderr
    silence_access_log()


def silence_access_log() -> None:
    """uvicorn's access log prints each client's address; the app logs requests without it."""
    access = logging.getLogger("uvicorn.access")
    access.handlers[:] = []
    access.propagate = False
    access.disabled = True
