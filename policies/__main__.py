"""Entry point the Pulumi engine runs (`python -m pulumi.policy <engine> .` in this directory).

It only builds the PolicyPack: constructing it starts the Analyzer gRPC server, prints its port and
blocks. The repository root (this directory's parent) goes first on sys.path so that the policies
import as the `policies` package and the pack can use `costguard` (the price book for
cost-monthly-budget) — the same under the real engine and under costguard's offline plan.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policies import sdk  # noqa: E402
from policies.pack import PACK_NAME, POLICIES  # noqa: E402

sdk.install(POLICIES)  # a request converted once, settings once, config findings (policies/sdk.py)

PolicyPack(
    name=PACK_NAME,
    policies=POLICIES,
    enforcement_level=EnforcementLevel.MANDATORY,
    description="Cost and security guardrails for Pulumi AWS programs.",
)
