"""Three additions to the pulumi-policy SDK's Analyzer server, installed by `policies/__main__.py`.

1. Analyze runs only the policies that can apply to the resource's type.

The SDK's `_PolicyAnalyzerServicer.Analyze` (pulumi_policy/policy.py, pulumi-policy 1.21) runs every
resource policy of the pack on every request; for each it converts the request again,

    deserialized = deserialize_properties(json_format.MessageToDict(request.properties))
    props = unknown_checking_proxy(deserialized)
    opts = self._get_resource_options(request)
    provider = self._get_provider_resource(request)

builds its arguments and calls its validate, which for most of this pack's 17 resource policies
returns at once: each judges a few types. The engine calls Analyze serially, once per resource and
analyzer (pulumi/pulumi pkg/resource/deploy/step_generator.go: `analyzer.Analyze(r)` inside
`generateSteps`, which the deployment executor calls from its single event loop,
deployment_executor.go `handleSingleEvent`), so the time of one call adds up over the whole preview.

`analyze` below is the SDK's loop, except that a policy whose `resource_types` is a
`support.TypeSet` is skipped for a type not in it, as its validate would have returned without a word
there. The declaration is the policy's promise: `support.resource_policy` sets it to the TypeSet its
validate checks first (any other `resource_types` is ignored). If every policy that would have run was
skipped, the request is still converted once, so properties the SDK cannot convert fail the call as
they would without this module. Everything else is the SDK's, with the SDK's own helpers and in its
order: enforcement levels, remediation-only policies reported not applicable, a fresh conversion of
the request for each policy that runs (a policy may write to its `args.props`), the violation report,
unknown values during a preview, async validations; the event loop of an async validation is closed
also when it raises (the SDK leaves it open, a file descriptor or two each time).
tests/policies/test_policy_sdk.py compares the responses byte for byte with the SDK's own Analyze, one
call at a time and several in flight, on this pack and on policies that take each of those paths.

2. `inspect.signature(pulumi.runtime.Settings)` is worked out once.

The SDK's Analyze, AnalyzeStack and Remediate each start with `_configure_runtime_settings()`, which
restores `pulumi.runtime`'s config from PULUMI_CONFIG and installs a new `Settings`, and on the way
calls `inspect.signature` on the Settings class to see whether it takes `organization`: ~0.05 ms of
every call here. `install()` has the SDK's `signature` return the previous result when asked again
about the same object (a policy that rewrote `Settings.__init__` in place would not be seen); the rest
of that set-up still runs on every call, so a policy that changes config or settings leaves the next
call unaffected, as with the SDK.

With both, the pack's own time per Analyze call fell from 0.25 ms to 0.06 ms (`make bench`).

3. Config mistakes the engine lets through are reported, once per run, by the policy they concern.

The SDK hands each policy only its own config, and the engine checks a policy's config only against its
schema's `properties` and `required` (pulumi/pulumi pkg/resource/analyzer/config.go, `convertSchema`:
nothing else of the schema is kept), so an unknown key ('allowedcount' for 'allowedCount') reaches the
pack unnoticed; so does an unknown policy name given as a level (`applyConfig` copies every entry, and
`validatePolicyPackConfig` looks only at the pack's own policies). `install()` records each Configure
request the SDK accepts, and appends to each AnalyzeStack response (one call per
preview) a violation for every finding of `policies/pack_config.py`, made by the SDK's own
`_create_report_violation` under the policy concerned, at its enforcement level. Configure itself cannot
report a diagnostic: its response is `google.protobuf.Empty` (pulumi/pulumi proto/pulumi/analyzer.proto),
and failing it would stop the preview with an RPC error instead of a policy violation.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Callable
from typing import Any

from policies.support import TypeSet

# The last Configure request the SDK accepted: policy name -> its properties (the engine sends each
# policy's schema defaults merged with the user's values).
_configured: dict[str, dict[str, Any]] = {}


def configured() -> dict[str, dict[str, Any]]:
    """The policy config of the last accepted Configure (empty before any, or without `install()`)."""
    return _configured


def same_object_same_answer(fn: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`fn(obj)`, answered from the previous call when `obj` is the very object of that call."""
    last: list[tuple[Any, Any]] = []

    @functools.wraps(fn)
    def wrapper(obj: Any) -> Any:
        if last and last[0][0] is obj:
            return last[0][1]
        answer = fn(obj)
        last[:] = [(obj, answer)]
        return answer

    return wrapper


# The servicer's private fields `analyze` reads (set in its __init__; without them, the SDK's Analyze).
_SERVICER_FIELDS = tuple(
    f"_PolicyAnalyzerServicer__{name}"
    for name in ("policies", "policy_pack_name", "policy_pack_version", "stack_tags")
)


def analyzer(sdk: Any) -> Callable[[Any, Any, Any], Any]:
    """The servicer's Analyze for the SDK module `sdk`: see (1) above."""
    proto, level_of = sdk.proto, sdk.EnforcementLevel

    def convert(self: Any, request: Any) -> tuple[Any, Any]:
        properties = sdk.deserialize_properties(sdk.json_format.MessageToDict(request.properties))
        return sdk.unknown_checking_proxy(properties), self._get_provider_resource(request)

    def analyze(self: Any, request: Any, context: Any) -> Any:
        self._configure_runtime_settings()
        response = proto.AnalyzeResponse()
        pack_name = self._PolicyAnalyzerServicer__policy_pack_name
        pack_version = self._PolicyAnalyzerServicer__policy_pack_version
        skipped = converted = False
        for policy in self._PolicyAnalyzerServicer__policies:
            level = self._get_enforcement_level(policy)
            if level == level_of.DISABLED or not isinstance(policy, sdk.ResourceValidationPolicy):
                continue
            if not policy.has_validation():
                response.not_applicable.append(
                    proto.PolicyNotApplicable(
                        policy_name=policy.name, reason="Policy does not implement validate"
                    )
                )
                continue
            types = getattr(policy, "resource_types", None)
            if isinstance(types, TypeSet) and request.type not in types:
                skipped = True  # its validate would return without a word
                continue
            if level == level_of.REMEDIATE:  # reported as mandatory, as the SDK does
                level = level_of.MANDATORY
            report = self._create_report_violation(
                response, policy.name, policy.description, level, policy.severity
            )
            # Converted again for each policy, as the SDK does: a policy may write to its props.
            props, provider = convert(self, request)
            converted = True
            args = sdk.ResourceValidationArgs(
                request.type, props, request.urn, request.name, self._get_resource_options(request),
                provider, self._get_policy_config(policy.name), self._PolicyAnalyzerServicer__stack_tags,
            )  # fmt: skip
            try:
                result = policy.validate(args, report)
                if inspect.isawaitable(result):
                    loop = asyncio.new_event_loop()
                    try:
                        loop.run_until_complete(asyncio.Task(result, loop=loop))
                    finally:
                        loop.close()
            except sdk.UnknownValueError as err:
                response.diagnostics.append(
                    proto.AnalyzeDiagnostic(
                        policyName=policy.name,
                        policyPackName=pack_name,
                        policyPackVersion=pack_version,
                        message=(
                            f"can't run policy '{policy.name}' from policy pack "
                            f"'{pack_name}@v{pack_version}' during preview: {err.message}"
                        ),
                        urn="",
                        description=policy.description,
                        enforcementLevel=self._map_enforcement_level(level_of.ADVISORY),
                    )
                )
            except sdk._NotApplicableError as err:
                response.not_applicable.append(
                    proto.PolicyNotApplicable(policy_name=policy.name, reason=err.reason or "")
                )
        if skipped and not converted:
            convert(self, request)  # fails the call where the SDK's conversion would have
        return response

    return analyze


def install(policies: list) -> None:
    """Apply the three additions to the SDK's server (idempotent); `policies` are the pack's own."""
    from pulumi_policy import EnforcementLevel
    from pulumi_policy import policy as sdk

    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    module_needs = (
        "proto", "json_format", "deserialize_properties", "unknown_checking_proxy", "ResourceValidationArgs",
        "ResourceValidationPolicy", "EnforcementLevel", "UnknownValueError", "_NotApplicableError",
        "signature",
    )  # fmt: skip
    servicer_needs = (
        "_get_resource_options", "_get_provider_resource", "_get_policy_config", "_get_enforcement_level",
        "_create_report_violation", "_map_enforcement_level", "Configure", "AnalyzeStack",
    )  # fmt: skip
    if (
        servicer is None
        or not all(hasattr(sdk, name) for name in module_needs)
        or not all(hasattr(servicer, name) for name in servicer_needs)
    ):
        # Another SDK layout (pulumi-policy>=1.21,<2 allows one): the pack still works unpatched,
        # only slower and without the config findings.
        return
    if getattr(servicer.Analyze, "__installed__", False):
        return
    sdk_analyze, own_analyze = servicer.Analyze, analyzer(sdk)

    def analyze(self: Any, request: Any, context: Any) -> Any:
        if not all(hasattr(self, field) for field in _SERVICER_FIELDS):
            return sdk_analyze(self, request, context)
        return own_analyze(self, request, context)

    analyze.__installed__ = True  # type: ignore[attr-defined]
    servicer.Analyze = analyze

    sdk_configure, configuring = servicer.Configure, threading.Lock()

    def configure(self: Any, request: Any, context: Any) -> Any:
        global _configured
        from google.protobuf import json_format

        with configuring:  # the recorded config is the one in force, even with two calls in flight
            response = sdk_configure(self, request, context)  # a config the SDK refuses is not recorded
            _configured = {
                name: json_format.MessageToDict(entry.properties)
                for name, entry in request.policyConfig.items()
            }
        return response

    servicer.Configure = configure
    sdk.signature = same_object_same_answer(sdk.signature)

    sdk_analyze_stack = servicer.AnalyzeStack

    def analyze_stack(self: Any, request: Any, context: Any) -> Any:
        from policies import pack_config

        response = sdk_analyze_stack(self, request, context)
        for policy, message in pack_config.findings(_configured, policies):
            level = self._get_enforcement_level(policy)
            if level == EnforcementLevel.DISABLED:
                continue
            if level == EnforcementLevel.REMEDIATE:  # as the SDK does for stack policies
                level = EnforcementLevel.MANDATORY
            report = self._create_report_violation(
                response, policy.name, policy.description, level, policy.severity
            )
            report(message)
        return response

    servicer.AnalyzeStack = analyze_stack
