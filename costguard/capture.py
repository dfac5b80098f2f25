"""Capture a Pulumi Python program's resource graph under Pulumi's mocks, offline.

`capture(program_dir, stack)` reads the stack's config as the CLI would (`stackconfig`), runs the
program in a child Python process (the same interpreter, so the same installed SDKs) under a
recording mock monitor (`_capture_runner`), and returns every registration as a `Graph`: type,
name, camelCase inputs, mocked outputs, parent, dependencies, provider, custom/remote, with
engine-style URNs. awsx components, opaque under mocks, come with the children awsx creates by
default (`awsx.py`, marked `synthesized`).

The child process has a timeout, because a program whose Outputs never resolve would otherwise
wait forever. A failure of any kind is a `CaptureError` with one line; set COSTGUARD_DEBUG=1 to
also see the program's output and the traceback.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from costguard.graph import Graph
from costguard.output import write_stdout
from costguard.stackconfig import CaptureError, load_stack_config

__all__ = ["CaptureError", "capture"]

_PACKAGE_ROOT = Path(__file__).resolve().parent.parent


def _debug() -> bool:
    return os.environ.get("COSTGUARD_DEBUG", "") not in ("", "0")


def capture(program_dir: Path, stack: str, *, timeout: float = 60.0, expand_awsx: bool = True) -> Graph:
    program_dir = Path(program_dir)
    if program_dir.exists() and not program_dir.is_dir():
        raise CaptureError(
            f"{program_dir} is not a directory: pass --program DIR, the directory that holds Pulumi.yaml"
        )
    if not program_dir.is_dir():
        raise CaptureError(f"program directory {program_dir} does not exist: pass --program DIR")
    cfg = load_stack_config(program_dir, stack)
    with tempfile.TemporaryDirectory(prefix="costguard-capture-") as tmp:
        request_file, result_file = Path(tmp, "request.json"), Path(tmp, "result.json")
        request_file.write_text(
            json.dumps(
                {
                    "program_dir": str(program_dir.resolve()),
                    "main": str(cfg.main.resolve()),
                    "project": cfg.project,
                    "stack": cfg.stack,
                    "config": cfg.program_config(),
                    "typed_config": cfg.config,
                    "secret_keys": list(cfg.secret_keys),
                    "out": str(result_file),
                }
            )
        )
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(_PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p)
        command = [sys.executable, "-m", "costguard._capture_runner", str(request_file)]
        returncode, stdout, stderr = _run_with_timeout(command, program_dir, env, timeout, Path(tmp))
        _show_output(stdout, stderr)
        if returncode is None:
            raise CaptureError(
                f"program did not finish within {timeout:g} s: an Output or apply() that never resolves? "
                "Run with COSTGUARD_DEBUG=1 to see its output"
            )
        if not result_file.is_file():
            last = stderr.strip().splitlines()[-1:] or [f"exit status {returncode}"]
            raise CaptureError(f"program failed: the capture process died: {last[0]}")
        result = json.loads(result_file.read_text())
    if "error" in result:
        if _debug() and result.get("traceback"):
            print(result["traceback"], file=sys.stderr)
        message = result["error"]
        raise CaptureError(message if message.startswith("program ") else f"program failed: {message}")
    graph = Graph.from_dict(result["graph"])
    if not expand_awsx:
        graph.resources = [r for r in graph.resources if not r.synthesized]
    return graph


def _run_with_timeout(
    command: list[str], cwd: Path, env: dict[str, str], timeout: float, scratch: Path
) -> tuple[int | None, str, str]:
    """Run the capture process; None as the exit status when it ran out of time.

    Output goes to files, not pipes, and the process gets its own session: anything the program
    started is killed with it, and nothing left holding a pipe can keep us waiting."""
    out_path, err_path = scratch / "stdout.txt", scratch / "stderr.txt"
    with out_path.open("wb") as out, err_path.open("wb") as err:
        proc = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )
        try:
            returncode: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            returncode = None
        _kill_session(proc)
    read = lambda path: path.read_text(encoding="utf-8", errors="replace")  # noqa: E731
    return returncode, read(out_path), read(err_path)


def _kill_session(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError, AttributeError):
        proc.kill()
    proc.wait()


def _show_output(stdout: str | bytes | None, stderr: str | bytes | None) -> None:
    if not _debug():
        return
    for stream in (stdout, stderr):
        if stream:
            text = stream.decode(errors="replace") if isinstance(stream, bytes) else stream
            print(text, file=sys.stderr, end="" if text.endswith("\n") else "\n")


def main(argv: list[str] | None = None) -> int:
    """`python -m costguard.capture [--program DIR] [--stack NAME] [--json]`: what a program would create."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m costguard.capture", description=main.__doc__)
    parser.add_argument(
        "--program", type=Path, default=Path("."), help="Pulumi project directory (default: .)"
    )
    parser.add_argument("--stack", default="dev", help="stack name: reads Pulumi.<stack>.yaml (default: dev)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds before giving up (default: 60)")
    parser.add_argument("--json", action="store_true", help="print the whole graph as JSON")
    args = parser.parse_args(argv)
    try:
        graph = capture(args.program, args.stack, timeout=args.timeout)
    except CaptureError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        write_stdout(graph.to_json() + "\n")  # a reader that stops early (| head) is no error
        return 0
    resources = [r for r in graph.resources if r.type != "pulumi:pulumi:Stack"]
    lines = [
        f"{graph.project} / {graph.stack}: {len(resources)} resources (region {graph.region or 'not set'})"
    ]
    width = max((len(r.type) for r in resources), default=4)
    for r in resources:
        kind = "synthesized" if r.synthesized else ("component" if not r.custom else "")
        lines.append(f"  {r.type:<{width}}  {r.name}{f'  ({kind})' if kind else ''}")
    write_stdout("\n".join(lines) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
