"""The Makefile's venv bootstrap when two makes run at once on a fresh clone.

A fake `python` stands in for the real one: `python -m venv DIR` writes DIR/bin/python at once but
only "installs pip" 1.5 s later (as ensurepip does), and that DIR/bin/python answers `-m pip` with
"No module named pip" until then. Without a lock the second make runs pip in the half-made venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REQUIREMENTS = (
    "requirements.txt",
    "requirements-dev.txt",
    "app/requirements.txt",
    "policies/requirements.txt",
)

FAKE_PYTHON = textwrap.dedent(
    """\
    #!{python}
    import os, sys, time
    log = os.environ["FAKE_LOG"]
    here = os.path.dirname(os.path.abspath(__file__))
    def note(text):
        with open(log, "a") as f:
            f.write(f"{{os.getpid()}} {{text}}\\n")
    if sys.argv[1:3] == ["-m", "venv"]:
        target = sys.argv[3]
        os.makedirs(os.path.join(target, "bin"))
        with open(__file__) as me:
            body = me.read()
        with open(os.path.join(target, "bin", "python"), "w") as out:
            out.write(body)
        os.chmod(os.path.join(target, "bin", "python"), 0o755)
        note("venv " + target)
        time.sleep(1.5)
        open(os.path.join(target, ".pip"), "w").close()
        sys.exit(0)
    if sys.argv[1:3] == ["-m", "pip"]:
        if not os.path.exists(os.path.join(here, "..", ".pip")):
            print(sys.argv[0] + ": No module named pip", file=sys.stderr)
            sys.exit(1)
        if sys.argv[3:4] == ["install"]:
            note("pip start")
            time.sleep(0.3)
            note("pip end")
        sys.exit(0)
    sys.exit(2)
    """
)


def fresh_clone(root: Path) -> Path:
    """The Makefile and empty requirement files in `root`, as in a new clone; returns the fake python."""
    shutil.copy(ROOT / "Makefile", root / "Makefile")
    for name in REQUIREMENTS:
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("")
    fake = root / "fake-python"
    fake.write_text(FAKE_PYTHON.format(python=sys.executable))
    fake.chmod(0o755)
    return fake


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_two_makes_on_a_fresh_clone_take_turns(tmp_path):
    fake = fresh_clone(tmp_path)
    log = tmp_path / "log"
    env = {**os.environ, "FAKE_LOG": str(log)}
    env.pop("MAKEFLAGS", None)

    def make() -> subprocess.Popen:
        return subprocess.Popen(
            ["make", "--no-print-directory", "venv", f"PYTHON={fake}"],
            cwd=tmp_path,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )

    first = make()
    time.sleep(0.5)  # the first is inside `python -m venv`: .venv/bin/python exists, pip does not yet
    second = make()
    outputs = [process.communicate(timeout=60)[0] for process in (first, second)]
    assert [first.returncode, second.returncode] == [0, 0], outputs
    assert not any("No module named pip" in output for output in outputs), outputs
    events = [line.split(" ", 1)[1] for line in log.read_text().splitlines()]
    # One venv, one install: the second make waited, then found the stamp fresh.
    assert events == ["venv .venv", "pip start", "pip end"], events
    assert (tmp_path / ".venv" / ".installed").exists()
    assert not list(tmp_path.glob(".venv-bootstrap*.lock"))


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_a_stale_lock_of_a_killed_make_is_taken_over(tmp_path):
    fake = fresh_clone(tmp_path)
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    lock = tmp_path / ".venv-bootstrap.lock"
    lock.mkdir()
    (lock / "pid").write_text(f"{gone.pid}\n")
    env = {**os.environ, "FAKE_LOG": str(tmp_path / "log")}
    env.pop("MAKEFLAGS", None)
    done = subprocess.run(
        ["make", "--no-print-directory", "venv", f"PYTHON={fake}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "removing the stale lock" in done.stdout
    assert (tmp_path / ".venv" / ".installed").exists() and not lock.exists()
