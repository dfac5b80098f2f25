"""Exports an Output whose future is never completed (a real engine would wait forever too), and starts a
child process that keeps the program's stdout open: the capture must still stop at its timeout."""

import asyncio
import subprocess
import sys

import pulumi

subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
never = asyncio.get_event_loop().create_future()
pulumi.export("never", pulumi.Output.from_input(never))
