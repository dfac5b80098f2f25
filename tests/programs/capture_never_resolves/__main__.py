"""Exports an Output whose future is never completed: a real engine would wait forever too."""

import asyncio

import pulumi

never = asyncio.get_event_loop().create_future()
pulumi.export("never", pulumi.Output.from_input(never))
