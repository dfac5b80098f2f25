"""The costguard CrossGuard policy pack: cost and security guardrails for Pulumi AWS programs.

`__main__.py` builds the PolicyPack (which starts the gRPC server and blocks); everything else is
importable without side effects, so tests and tools can use the policies and helpers directly.
"""
