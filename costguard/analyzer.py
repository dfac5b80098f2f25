"""Drive a CrossGuard policy pack over the Analyzer gRPC protocol, the way the Pulumi engine does.

The engine starts a Python pack through the `pulumi-analyzer-policy-python` shim, which runs
`<virtualenv>/bin/python -u -m pulumi.policy <engine-address> .` with the pack directory as working
directory and the stack's config in `PULUMI_CONFIG` (pulumi/pulumi: sdk/python/dist/
pulumi-analyzer-policy-python, sdk/go/common/resource/plugin/analyzer_plugin.go `NewPolicyAnalyzer`
and `constructEnv`). The pack prints the port of its gRPC server on stdout. The engine then calls
`Handshake` (optional), `ConfigureStack`, `GetAnalyzerInfo`, `Configure` with the pack config
reconciled against each policy's schema (pkg/resource/analyzer/config.go `ReconcilePolicyPackConfig`:
schema defaults first, then the config file, validated with JSON Schema), then `Analyze` per resource
and one `AnalyzeStack` at the end. This module does the same, so a plan run offline gets the verdicts
`pulumi preview --policy-pack` would give for what it sends: each resource's type, name, URN,
properties, parent, provider reference and dependencies, and the stack's name, project and config. It
runs the pack with the given interpreter (not the `virtualenv` of PulumiPolicy.yaml) and sends no
provider properties, stack tags, other resource options or property dependencies: a policy that reads
those may judge differently offline. This pack's do not: only cost-ecr-lifecycle reads property
dependencies, and the engine lists them among the dependencies too.
"""

from __future__ import annotations

import collections
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
import jsonschema
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

from costguard.graph import Graph, Resource

ENFORCEMENT_LEVELS = ("advisory", "mandatory", "remediate", "disabled")
_LEVEL_TO_PROTO = {
    "advisory": analyzer_pb2.ADVISORY,
    "mandatory": analyzer_pb2.MANDATORY,
    "remediate": analyzer_pb2.REMEDIATE,
    "disabled": analyzer_pb2.DISABLED,
}
_PROTO_TO_LEVEL = {v: k for k, v in _LEVEL_TO_PROTO.items()}
# The same limit the policy SDK sets on its server: stacks of thousands of resources fit in one message.
_MAX_MESSAGE = 400 * 1024 * 1024
_CHANNEL_OPTIONS = [
    ("grpc.max_receive_message_length", _MAX_MESSAGE),
    ("grpc.max_send_message_length", _MAX_MESSAGE),
]
_START_TIMEOUT_S = 60.0
_RPC_TIMEOUT_S = 120.0


class PolicyPackError(Exception):
    """The pack could not be started, configured or run; the message is one line fit for a user."""


@dataclass(frozen=True)
class Violation:
    policy_name: str
    pack_name: str
    description: str
    message: str
    enforcement_level: str  # "advisory" | "mandatory" | "remediate" | "disabled"
    urn: str | None


class PolicyPackProcess:
    """A running policy pack process and one gRPC channel to it. Use as a context manager."""

    def __init__(
        self,
        pack_dir: Path,
        config: dict | Callable[[dict], dict] | None = None,
        python: str = sys.executable,
        *,
        stack: str = "dev",
        project: str = "project",
        stack_config: dict[str, Any] | None = None,
        dry_run: bool = True,
    ) -> None:
        self.pack_dir = Path(pack_dir).resolve()
        self.config = config
        self.python = python
        self.stack = stack
        self.project = project
        self.stack_config = dict(stack_config or {})
        self.dry_run = dry_run
        self._proc: subprocess.Popen[bytes] | None = None
        self._channel: grpc.Channel | None = None
        self._stub: analyzer_pb2_grpc.AnalyzerStub | None = None
        self._stderr_tail: collections.deque[str] = collections.deque(maxlen=20)
        self._stderr_thread: threading.Thread | None = None
        self._info: dict | None = None
        self._pack_name = ""

    # -- lifecycle ---------------------------------------------------------------------------

    def __enter__(self) -> PolicyPackProcess:
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        if not (self.pack_dir / "PulumiPolicy.yaml").is_file():
            raise PolicyPackError(
                f"no PulumiPolicy.yaml in {self.pack_dir}: point at a policy pack directory"
            )
        port = self._spawn()
        self._channel = grpc.insecure_channel(f"127.0.0.1:{port}", options=_CHANNEL_OPTIONS)
        try:
            grpc.channel_ready_future(self._channel).result(timeout=_START_TIMEOUT_S)
        except grpc.FutureTimeoutError:
            raise PolicyPackError(
                f"policy pack on port {port} did not accept a connection{self._tail()}"
            ) from None
        self._stub = analyzer_pb2_grpc.AnalyzerStub(self._channel)
        self._handshake()
        self._configure_stack()
        self._info = self._get_info()
        if callable(self.config):
            self.config = self.config(self._info)
        self.configure(self.config)

    def environment(self) -> dict[str, str]:
        """What the engine adds to the pack's environment (pulumi/pulumi analyzer_plugin.go constructEnv)."""
        env = {
            "PULUMI_PROJECT": self.project,
            "PULUMI_STACK": self.stack,
            "PULUMI_DRY_RUN": "true" if self.dry_run else "false",
            "PULUMI_ORGANIZATION": os.environ.get("PULUMI_ORGANIZATION", "organization"),
        }
        if self.stack_config:
            env["PULUMI_CONFIG"] = json.dumps({k: _config_string(v) for k, v in self.stack_config.items()})
        return env

    def _spawn(self) -> int:
        env = {**os.environ, **self.environment(), "PYTHONUNBUFFERED": "1"}
        # The engine address is required by the command line but the policy SDK never dials it.
        cmd = [self.python, "-u", "-m", "pulumi.policy", "127.0.0.1:0", "."]
        try:
            self._proc = subprocess.Popen(
                cmd, cwd=self.pack_dir, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )  # fmt: skip
        except OSError as err:
            raise PolicyPackError(f"cannot run {self.python}: {err.strerror}") from None
        self._stderr_thread = threading.Thread(target=self._drain_stderr, daemon=True)
        self._stderr_thread.start()
        port_line = self._read_port_line()
        try:
            port = int(port_line.strip())
        except ValueError:
            # The engine also takes the first stdout line as the port; anything else is a failed start.
            if self._proc.poll() is None:
                self._proc.kill()
            self._proc.wait(timeout=10)
            raise PolicyPackError(
                f"policy pack in {self.pack_dir.name}/ failed to start{self._tail()}"
            ) from None
        threading.Thread(target=self._drain_stdout, daemon=True).start()
        return port

    def _read_port_line(self) -> str:
        assert self._proc is not None and self._proc.stdout is not None
        result: list[str] = []
        reader = threading.Thread(
            target=lambda: result.append(self._proc.stdout.readline().decode()), daemon=True
        )
        reader.start()
        reader.join(_START_TIMEOUT_S)
        if not result:
            raise PolicyPackError(
                f"policy pack did not print its port within {_START_TIMEOUT_S:.0f} s{self._tail()}"
            )
        if not result[0]:
            # stdout closed: the process exited; give stderr a moment to arrive.
            try:
                self._proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                pass
        return result[0]

    def _drain_stderr(self) -> None:
        assert self._proc is not None and self._proc.stderr is not None
        for raw in self._proc.stderr:
            line = raw.decode(errors="replace").rstrip()
            if line:
                self._stderr_tail.append(line)

    def _drain_stdout(self) -> None:
        assert self._proc is not None and self._proc.stdout is not None
        for _ in self._proc.stdout:
            pass

    def _tail(self) -> str:
        self._stderr_done()
        lines = [line for line in self._stderr_tail if line.strip()]
        if not lines:
            return ""
        # The last line of a traceback names the error; that is what a user needs.
        return f": {lines[-1].strip()}"

    def _stderr_done(self) -> None:
        if self._proc is not None and self._proc.poll() is not None and self._stderr_thread is not None:
            # The process is gone: let the drain thread read the rest of what it wrote.
            self._stderr_thread.join(timeout=2)

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        if self._proc is not None:
            if self._proc.poll() is None:
                self._proc.kill()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass
            self._proc = None

    # -- protocol ----------------------------------------------------------------------------

    @property
    def stub(self) -> analyzer_pb2_grpc.AnalyzerStub:
        if self._stub is None:
            raise PolicyPackError("policy pack is not running: use PolicyPackProcess as a context manager")
        return self._stub

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request, timeout=_RPC_TIMEOUT_S)
        except grpc.RpcError as err:
            detail = (err.details() or str(err.code())).strip().splitlines()
            raise PolicyPackError(
                f"policy pack {method} failed: {detail[-1] if detail else err.code()}{self._tail()}"
            ) from None

    def _handshake(self) -> None:
        request = analyzer_pb2.AnalyzerHandshakeRequest(
            engine_address="127.0.0.1:0",
            root_directory=str(self.pack_dir),
            program_directory=str(self.pack_dir),
        )
        try:
            self.stub.Handshake(request, timeout=_RPC_TIMEOUT_S)
        except grpc.RpcError as err:
            # Packs built with older SDKs do not implement Handshake; the engine falls back too.
            if err.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise PolicyPackError(
                    f"policy pack Handshake failed: {err.details()}{self._tail()}"
                ) from None

    def _configure_stack(self) -> None:
        request = analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=self.stack,
            project=self.project,
            organization=os.environ.get("PULUMI_ORGANIZATION", "organization"),
            dry_run=self.dry_run,
            config={k: _config_string(v) for k, v in self.stack_config.items()},
        )
        try:
            self.stub.ConfigureStack(request, timeout=_RPC_TIMEOUT_S)
        except grpc.RpcError as err:
            if err.code() != grpc.StatusCode.UNIMPLEMENTED:
                raise PolicyPackError(
                    f"policy pack ConfigureStack failed: {err.details()}{self._tail()}"
                ) from None

    def _get_info(self) -> dict:
        response = self._call("GetAnalyzerInfo", empty_pb2.Empty())
        self._pack_name = response.name
        policies = []
        for p in response.policies:
            schema = json_format.MessageToDict(p.configSchema) if p.HasField("configSchema") else {}
            policies.append(
                {
                    "name": p.name,
                    "description": p.description,
                    "enforcementLevel": _PROTO_TO_LEVEL.get(p.enforcementLevel, "advisory"),
                    "configSchema": {
                        "properties": schema.get("properties", {}),
                        "required": schema.get("required", []),
                    },
                    "type": "stack" if p.policy_type == analyzer_pb2.POLICY_TYPE_STACK else "resource",
                }
            )
        return {
            "name": response.name,
            "version": response.version,
            "supportsConfig": response.supportsConfig,
            "policies": sorted(policies, key=lambda p: p["name"]),
        }

    def info(self) -> dict:
        if self._info is None:
            self._info = self._get_info()
        return self._info

    def configure(self, config: dict | None) -> None:
        """Reconcile `config` (the --policy-pack-config JSON) with the schemas and send it to the pack."""
        reconciled = reconcile_config(self.info()["policies"], config or {})
        request = analyzer_pb2.ConfigureAnalyzerRequest()
        for name, (level, props) in reconciled.items():
            entry = request.policyConfig[name]
            entry.enforcementLevel = _LEVEL_TO_PROTO[level]
            entry.properties.update(props)
        self._call("Configure", request)
        self.config = config

    def analyze(self, resource: Resource) -> list[Violation]:
        response = self._call("Analyze", _analyze_request(resource))
        # The SDK leaves the URN empty on per-resource diagnostics: the caller knows the resource.
        return self._violations(response, default_urn=resource.urn)

    def analyze_many(self, resources: Iterable[Resource], workers: int = 4) -> list[Violation]:
        """Analyze each resource, keeping a few calls in flight on the one channel."""
        requests = [_analyze_request(r) for r in resources]
        if workers <= 1:
            return [v for req in requests for v in self._violations(self._call("Analyze", req), req.urn)]
        with ThreadPoolExecutor(max_workers=workers) as pool:
            responses = list(pool.map(lambda req: self._call("Analyze", req), requests))
        return [
            v for req, resp in zip(requests, responses, strict=True) for v in self._violations(resp, req.urn)
        ]

    def analyze_stack(self, resources: list[Resource]) -> list[Violation]:
        request = analyzer_pb2.AnalyzeStackRequest(resources=[_stack_resource(r) for r in resources])
        return self._violations(self._call("AnalyzeStack", request))

    def _violations(
        self, response: analyzer_pb2.AnalyzeResponse, default_urn: str | None = None
    ) -> list[Violation]:
        return [
            Violation(
                policy_name=d.policyName,
                pack_name=d.policyPackName or self._pack_name,
                description=d.description,
                message=d.message,
                enforcement_level=_PROTO_TO_LEVEL.get(d.enforcementLevel, "advisory"),
                urn=d.urn or default_urn or None,
            )
            for d in response.diagnostics
        ]


@dataclass(frozen=True)
class PackRun:
    pack_name: str
    policy_count: int
    violations: list[Violation]
    policy_names: tuple[str, ...] = ()


def analyze_graph(
    pack_dir: Path,
    graph: Graph,
    config: dict | Callable[[dict], dict] | None = None,
    python: str = sys.executable,
) -> PackRun:
    """What a preview does: Analyze every custom resource, then one AnalyzeStack over all of them.

    `config` may be a function of the pack's GetAnalyzerInfo answer (its policies), for a caller
    that configures only the policies the pack has."""
    stack_config = {k: v for k, v in graph.config.items() if isinstance(k, str)}
    with PolicyPackProcess(
        pack_dir, config, python, stack=graph.stack, project=graph.project, stack_config=stack_config
    ) as pack:
        info = pack.info()
        custom = [r for r in graph.resources if r.custom]
        violations = pack.analyze_many(custom)
        violations += pack.analyze_stack(graph.resources)
    names = tuple(p["name"] for p in info.get("policies", []))
    return PackRun(info.get("name", ""), len(names), violations, names)


def run_pack(
    pack_dir: Path, graph: Graph, config: dict | None = None, python: str = sys.executable
) -> list[Violation]:
    return analyze_graph(pack_dir, graph, config, python).violations


def load_config_file(path: Path) -> dict:
    """Read a --policy-pack-config JSON file, with a one-line error for a bad one."""
    try:
        text = Path(path).read_text()
    except OSError as err:
        raise PolicyPackError(f"cannot read policy config {path}: {err.strerror}") from None
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise PolicyPackError(f"policy config {path} is not JSON: {err.msg} at line {err.lineno}") from None
    if not isinstance(data, dict):
        raise PolicyPackError(f"policy config {path} must be a JSON object of policy name -> settings")
    return data


def reconcile_config(policies: list[dict], config: dict) -> dict[str, tuple[str, dict]]:
    """Defaults from each schema, then `all`, then per-policy settings; validated like the engine does."""
    if not isinstance(config, dict):
        raise PolicyPackError("policy config must be a JSON object of policy name -> level or settings")
    by_name = {p["name"]: p for p in policies}
    result: dict[str, tuple[str, dict]] = {}
    for p in policies:
        props = p["configSchema"]["properties"]
        defaults = {k: v["default"] for k, v in props.items() if isinstance(v, dict) and "default" in v}
        result[p["name"]] = (p["enforcementLevel"], defaults)

    parsed = {name: _parse_entry(name, value) for name, value in config.items()}
    unknown = sorted(set(parsed) - set(by_name) - {"all"})
    if unknown:
        raise PolicyPackError(
            f"policy config names unknown polic{'ies' if len(unknown) > 1 else 'y'} {', '.join(unknown)}; "
            f"known: {', '.join(sorted(by_name))}"
        )
    if "all" in parsed and parsed["all"][0]:
        result = {name: (parsed["all"][0], props) for name, (_, props) in result.items()}
    for name, (level, props) in parsed.items():
        if name == "all":
            continue
        old_level, old_props = result[name]
        result[name] = (level or old_level, {**old_props, **props})

    errors = []
    for name, (_, props) in result.items():
        schema = by_name[name]["configSchema"]
        json_schema = {"type": "object", "properties": schema["properties"]}
        if schema["required"]:
            json_schema["required"] = schema["required"]
        validator = jsonschema.Draft7Validator(json_schema)
        for error in sorted(validator.iter_errors(props), key=lambda e: list(e.path)):
            where = ".".join(str(p) for p in error.path)
            errors.append(f"{name}: {where + ': ' if where else ''}{error.message}")
    if errors:
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise PolicyPackError(f"invalid policy config: {errors[0]}{more}")
    return result


def _parse_entry(name: str, value: Any) -> tuple[str | None, dict]:
    if isinstance(value, str):
        if value not in ENFORCEMENT_LEVELS:
            raise PolicyPackError(
                f"policy config {name}: {value!r} is not an enforcement level; use one of "
                f"{', '.join(ENFORCEMENT_LEVELS)}"
            )
        return value, {}
    if isinstance(value, dict):
        props = dict(value)
        level = props.pop("enforcementLevel", None)
        if level is not None and level not in ENFORCEMENT_LEVELS:
            raise PolicyPackError(
                f"policy config {name}.enforcementLevel: {level!r} is not one of "
                f"{', '.join(ENFORCEMENT_LEVELS)}"
            )
        return level, props
    raise PolicyPackError(f"policy config {name}: must be an enforcement level string or an object")


def _config_string(value: Any) -> str:
    # Stack config reaches the pack as strings (PULUMI_CONFIG); structured values as JSON.
    return value if isinstance(value, str) else json.dumps(value)


def _struct(props: dict[str, Any]) -> struct_pb2.Struct:
    s = struct_pb2.Struct()
    if props:
        # The engine drops internal keys such as __defaults (MarshalOptions.SkipInternalKeys).
        s.update(_jsonable({k: v for k, v in props.items() if not str(k).startswith("__")}))
    return s


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def _options(r: Resource) -> analyzer_pb2.AnalyzerResourceOptions:
    return analyzer_pb2.AnalyzerResourceOptions(parent=r.parent or "")


def _provider(r: Resource) -> analyzer_pb2.AnalyzerProviderResource | None:
    if not r.provider:
        return None
    # A provider reference is "URN::ID"; the URN's last two parts are the provider type and name.
    urn = r.provider.split("::")
    urn_text = "::".join(urn[:-1]) if len(urn) > 4 else r.provider
    parts = urn_text.split("::")
    ptype = parts[-2].split("$")[-1] if len(parts) >= 2 else ""
    pname = parts[-1] if parts else ""
    return analyzer_pb2.AnalyzerProviderResource(urn=urn_text, type=ptype, name=pname)


def _analyze_request(r: Resource) -> analyzer_pb2.AnalyzeRequest:
    return analyzer_pb2.AnalyzeRequest(
        type=r.type,
        properties=_struct(r.props),
        urn=r.urn,
        name=r.name,
        options=_options(r),
        provider=_provider(r),
    )


def _stack_resource(r: Resource) -> analyzer_pb2.AnalyzerResource:
    return analyzer_pb2.AnalyzerResource(
        type=r.type,
        properties=_struct(r.props),
        urn=r.urn,
        name=r.name,
        options=_options(r),
        provider=_provider(r),
        parent=r.parent or "",
        dependencies=list(r.dependencies),
    )
