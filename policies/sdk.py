"""Three small additions to the pulumi-policy SDK's Analyzer server, installed by `policies/__main__.py`.

1. Analyze converts a request's properties once, not once per policy.

The SDK's `_PolicyAnalyzerServicer.Analyze` (pulumi_policy/policy.py, pulumi-policy 1.21) runs, for EACH
resource policy of the pack, on the same request:

    deserialized = deserialize_properties(json_format.MessageToDict(request.properties))
    props = unknown_checking_proxy(deserialized)
    opts = self._get_resource_options(request)
    provider = self._get_provider_resource(request)

With this pack's 17 resource policies that conversion was most of the pack's own time per
Analyze call. The engine calls Analyze serially, once per resource and analyzer (pulumi/pulumi
pkg/resource/deploy/step_generator.go: `analyzer.Analyze(r)` inside `generateSteps`, which the
deployment executor calls from its single event loop, deployment_executor.go `handleSingleEvent`), so
the time of one call adds up over the whole preview.

`install()` wraps those five callables, as the SDK module looks them up, so that a call with the very
same argument objects as the previous call on the same thread returns the previous result. All
policies of one Analyze call then share one converted, unknown-checking view of the properties; the
next request is another protobuf message, so it is converted afresh. The wrapped functions are pure
(they build new objects from the message) and no policy of this pack writes to `args.props` (they
read it through `support.plain`), so the responses are identical: tests/policies/test_policy_sdk.py
compares them with and without this module, one call at a time and several in flight.

2. The runtime settings are configured once per environment, not once per call.

The SDK's Analyze, AnalyzeStack and Remediate each start with `_configure_runtime_settings()`, which
parses PULUMI_CONFIG into `pulumi.runtime`'s config, calls `inspect.signature` on
`pulumi.runtime.Settings` and builds and installs a new `Settings` (an RPC manager, a lock and about
fifteen context properties): half of the pack's own time per Analyze call (0.12 of 0.24 ms). It reads the
variables in `_RUNTIME_ENVIRONMENT`, which the engine sets when it starts the pack (pulumi/pulumi
pkg/resource/plugin/analyzer_plugin.go, `constructEnv`), so `install()` runs it again only when one of
them differs from its last run. The values still reach every call: the gRPC server runs each call in a
new, empty `contextvars.Context` (grpc/_server.py, `_RPCState`), where `pulumi.runtime`'s context
variables are unset and read their defaults, which the first run set (`ContextProperty.fset` makes a
value the default when the variable is unset; `set_config` writes into the default config dict).
tests/policies/test_policy_sdk.py checks over gRPC that a policy reads the stack and its config on
every call, with and without this module.

3. Config mistakes the engine lets through are reported, once per run, by the policy they concern.

The SDK hands each policy only its own config, and the engine checks a policy's config only against its
schema's `properties` and `required` (pulumi/pulumi pkg/resource/analyzer/config.go, `convertSchema`:
nothing else of the schema is kept), so an unknown key ('allowedcount' for 'allowedCount') reaches the
pack unnoticed; so does an unknown policy name given as a level (`applyConfig` copies every entry, and
`validatePolicyPackConfig` looks only at the pack's own policies). `install()` records each Configure
request before the SDK's Configure runs, and appends to each AnalyzeStack response (one call per
preview) a violation for every finding of `policies/pack_config.py`, made by the SDK's own
`_create_report_violation` under the policy concerned, at its enforcement level. Configure itself cannot
report a diagnostic: its response is `google.protobuf.Empty` (pulumi/pulumi proto/pulumi/analyzer.proto),
and failing it would stop the preview with an RPC error instead of a policy violation.
"""

from __future__ import annotations

import functools
import os
import threading
from collections.abc import Callable
from typing import Any

# The last Configure request: policy name -> its properties (the engine sends each policy's schema
# defaults merged with the user's values).
_configured: dict[str, dict[str, Any]] = {}


def configured() -> dict[str, dict[str, Any]]:
    """The policy config of the last Configure call (empty before any, or without `install()`)."""
    return _configured


class _LastCall(threading.local):
    args: tuple = ()
    result: Any = None


def same_as_last_call(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`fn`, returning its previous result (per thread) when called again with the identical arguments.

    Identity, not equality: the previous arguments are held, so no new object can take their id. The
    wrapper runs ~17 times per Analyze call, so it is kept to a few comparisons.
    """
    last = _LastCall()

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        previous = last.args
        if kwargs or not 0 < len(args) <= 2:  # the SDK passes one or two positional arguments
            return fn(*args, **kwargs)
        if len(previous) == len(args) and previous[0] is args[0] and previous[-1] is args[-1]:
            return last.result
        result = fn(*args)
        last.args, last.result = args, result
        return result

    wrapper.__wrapped_once__ = True  # type: ignore[attr-defined]
    return wrapper


# What `_configure_runtime_settings` reads (pulumi.runtime.get_config_env and the Settings it builds).
_RUNTIME_ENVIRONMENT = (
    "PULUMI_CONFIG", "PULUMI_PROJECT", "PULUMI_STACK", "PULUMI_DRY_RUN", "PULUMI_ORGANIZATION",
    "PULUMI_ENABLE_LEGACY_APPLY",
)  # fmt: skip


def once_per_environment(configure: Callable[[Any], None]) -> Callable[[Any], None]:
    """`configure(self)`, run again only when one of the variables it reads has changed since its last run."""
    last: list[tuple] = []

    @functools.wraps(configure)
    def wrapper(self: Any) -> None:
        environment = tuple(os.environ.get(name) for name in _RUNTIME_ENVIRONMENT)
        if last and last[0] == environment:
            return
        configure(self)
        last[:] = [environment]

    return wrapper


class _JsonFormat:
    """The SDK module's `json_format`, with MessageToDict converting a given message once in a row."""

    def __init__(self, module: Any) -> None:
        self._module = module
        self.MessageToDict = same_as_last_call(module.MessageToDict)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


def install(policies: list) -> None:
    """Apply the three additions to the SDK's server (idempotent); `policies` are the pack's own."""
    from pulumi_policy import EnforcementLevel
    from pulumi_policy import policy as sdk

    servicer = getattr(sdk, "_PolicyAnalyzerServicer", None)
    module_needs = ("json_format", "deserialize_properties", "unknown_checking_proxy")
    servicer_needs = (
        "_get_resource_options", "_get_provider_resource", "_configure_runtime_settings", "Configure",
        "AnalyzeStack",
    )  # fmt: skip
    if (
        servicer is None
        or not all(hasattr(sdk, name) for name in module_needs)
        or not all(hasattr(servicer, name) for name in servicer_needs)
    ):
        # Another SDK layout (pulumi-policy>=1.21,<2 allows one): the pack still works unpatched,
        # only slower and without the config findings.
        return
    if getattr(sdk.unknown_checking_proxy, "__wrapped_once__", False):
        return
    sdk.json_format = _JsonFormat(sdk.json_format)
    sdk.deserialize_properties = same_as_last_call(sdk.deserialize_properties)
    sdk.unknown_checking_proxy = same_as_last_call(sdk.unknown_checking_proxy)
    servicer._get_resource_options = same_as_last_call(servicer._get_resource_options)
    servicer._get_provider_resource = same_as_last_call(servicer._get_provider_resource)

    sdk_configure = servicer.Configure

    def configure(self: Any, request: Any, context: Any) -> Any:
        global _configured
        from google.protobuf import json_format

        _configured = {
            name: json_format.MessageToDict(entry.properties) for name, entry in request.policyConfig.items()
        }
        return sdk_configure(self, request, context)

    servicer.Configure = configure
    servicer._configure_runtime_settings = once_per_environment(servicer._configure_runtime_settings)

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
