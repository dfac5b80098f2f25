"""Writing to stdout when the reader may stop early (`costguard review ... | head`)."""

from __future__ import annotations

import os
import sys


def write_stdout(text: str) -> bool:
    """Write `text` to stdout; False when the reader closed the pipe first.

    A closed pipe is not an error of ours: the rest of the output is dropped quietly and the command
    ends with its own exit code. stdout is pointed at /dev/null so that the interpreter's last flush
    at exit does not raise (and print) the BrokenPipeError again (as the Python docs advise, "Note on
    SIGPIPE" in the signal module)."""
    try:
        sys.stdout.write(text)
        sys.stdout.flush()
    except BrokenPipeError:
        _silence_stdout()
        return False
    return True


def _silence_stdout() -> None:
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a real file (a test's StringIO)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)
