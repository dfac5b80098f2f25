"""Run a Pulumi command; while it fails only because another operation holds the stack, wait and retry.

`preview` and `deploy` are separate workflows, each with its own concurrency group, and GitHub's groups
cannot queue them behind each other without losing a run: a group holds one running and one pending job,
and a newer pending job cancels the older one (GitHub docs, "Control the concurrency of workflows and
jobs"), so a pull request's preview could cancel a waiting deploy. Both take the stack's lock instead (the
S3 backend's lock file, Pulumi Cloud's update lock), and whichever comes second fails at once with one of
the two messages the Automation API itself treats as a concurrent update (pulumi/pulumi,
sdk/python/lib/pulumi/automation/errors.py: "[409] Conflict: Another update is currently in progress." and
"the stack is currently locked by"). This wrapper retries exactly that failure, so a preview waits for a
deploy and a deploy for a preview; any other failure is returned as is, straight away.

Usage: pulumi_lock_retry.py [--attempts N] [--wait SECONDS] [--stdout FILE] -- pulumi ARGS...
`--stdout` writes each attempt's standard output to FILE afresh (e.g. the `--json` of a preview), so a
retried run never leaves two documents in one file. Standard error is passed through as it comes.
"""

from __future__ import annotations

import argparse
import contextlib
import subprocess
import sys
import threading
import time

LOCKED = ("[409] Conflict: Another update is currently in progress", "the stack is currently locked by")


def _run(command: list[str], stdout_path: str | None) -> tuple[int, str]:
    """Run once: stdout to the file (or inherited), stderr echoed live and kept to look for the lock."""
    with open(stdout_path, "wb") if stdout_path else contextlib.nullcontext() as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.PIPE)
        captured: list[bytes] = []

        def pump() -> None:
            assert process.stderr is not None
            for chunk in iter(process.stderr.readline, b""):
                captured.append(chunk)
                sys.stderr.buffer.write(chunk)
                sys.stderr.buffer.flush()

        reader = threading.Thread(target=pump, daemon=True)
        reader.start()
        code = process.wait()
        reader.join()
    return code, b"".join(captured).decode("utf-8", errors="replace")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pulumi_lock_retry", description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=20, help="tries in all (default 20)")
    parser.add_argument("--wait", type=float, default=30.0, help="seconds between tries (default 30)")
    parser.add_argument("--stdout", metavar="FILE", help="write the command's standard output here")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- then the command")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the command after --")

    for attempt in range(1, args.attempts + 1):
        code, stderr = _run(command, args.stdout)
        if code == 0 or not any(text in stderr for text in LOCKED):
            return code
        if attempt < args.attempts:
            print(
                f"pulumi_lock_retry: another operation holds the stack; "
                f"try {attempt + 1}/{args.attempts} in {args.wait:g} s",
                file=sys.stderr,
                flush=True,
            )
            time.sleep(args.wait)
    print("pulumi_lock_retry: the stack stayed locked; giving up", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
