"""Runs one Pulumi program under mocks and writes its resource graph as JSON (started by `capture()`).

Usage: python -m costguard._capture_runner REQUEST.json
The request names the program, project, stack, config and the result file. The result is
{"graph": {...}} or {"error": "one line", "traceback": "..."}; the exit status is 0 or 1.

The program runs as the Python language host runs it: its directory first on sys.path, cwd there,
`runpy.run_path(main, run_name="__main__")` inside `pulumi.runtime.run_in_stack` (which creates the
root Stack, supports `pulumi.run` and waits for every outstanding registration and apply), with the
config in PULUMI_CONFIG. The engine is replaced by a recording subclass of the SDK's MockMonitor:
it sees every registration (custom, component, remote), so it records them all.
"""

from __future__ import annotations

import json
import logging
import os
import runpy
import sys
import traceback
from pathlib import Path
from typing import Any

# Property-map signatures of the Pulumi wire format (sdk/python/lib/pulumi/runtime/rpc.py).
_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SIG_SECRET = "1b47061264138c4ac30d75fd1eb44270"
_SIG_RESOURCE = "5cf8f73096256a8f31e491e813e4eb8e"
_SIG_ASSET = "c44067f5952c0a294b673a41bacd8c17"
_SIG_ARCHIVE = "0def7320c3a5731c473e5ecbe6d01bc7"
_SIG_OUTPUT = "d0e6a833031e9bbcd3f4e8bde6ca49a4"
_STACK_TYPE = "pulumi:pulumi:Stack"


def plain(value: Any) -> Any:
    """A wire-format value (as protobuf's MessageToDict gives it) as plain JSON, the way an analyzer sees it:
    secrets unwrapped, resource references as their id (custom) or URN, integral numbers as ints."""
    if isinstance(value, dict):
        sig = value.get(_SIG_KEY)
        if sig == _SIG_SECRET:
            return plain(value.get("value"))
        if sig == _SIG_RESOURCE:
            return value.get("id") or value.get("urn")
        if sig == _SIG_OUTPUT:
            return plain(value.get("value"))
        if sig in (_SIG_ASSET, _SIG_ARCHIVE):
            return {k: plain(v) for k, v in value.items() if k != _SIG_KEY}
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def _to_wire(value: Any) -> Any:
    """Mock state for the SDK: awsx `Ref`s become resource references the SDK rehydrates."""
    from costguard.awsx import Ref

    if isinstance(value, Ref):
        return {_SIG_KEY: _SIG_RESOURCE, "urn": value.urn, "id": value.id}
    if isinstance(value, dict):
        return {k: _to_wire(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_to_wire(v) for v in value]
    return value


def _to_record(value: Any) -> Any:
    from costguard.awsx import Ref

    if isinstance(value, Ref):
        return value.id or value.urn
    if isinstance(value, dict):
        return {k: _to_record(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_to_record(v) for v in value]
    return value


def _make_recorder(request: dict[str, Any]):
    from google.protobuf import json_format
    from pulumi.runtime import mocks as pulumi_mocks
    from pulumi.runtime import rpc
    from pulumi.runtime.proto import resource_pb2
    from pulumi.runtime.sync_await import _ensure_event_loop, _sync_await

    from costguard import awsx, mock_outputs
    from costguard.graph import Resource

    stack, project = request["stack"], request["project"]
    default_region = mock_outputs.region_from_config(request["typed_config"])

    def struct_to_plain(struct) -> dict[str, Any]:
        return plain(json_format.MessageToDict(struct)) if struct is not None else {}

    class ProgramMocks(pulumi_mocks.Mocks):
        def __init__(self):
            self.monitor: RecordingMonitor | None = None

        def call(self, args: pulumi_mocks.MockCallArgs):
            region = self.monitor.region_for(args.provider) if self.monitor else default_region
            return mock_outputs.call_outputs(args.token, args.args, region)

        def new_resource(self, args: pulumi_mocks.MockResourceArgs):
            # Only reads (`Resource.get`, StackReference) get here; RecordingMonitor handles registrations.
            if args.typ == "pulumi:pulumi:StackReference":
                return args.name, {"name": args.name, "outputs": {}, "secretOutputNames": []}
            region = self.monitor.region_for(args.provider) if self.monitor else default_region
            inputs = {
                k: v
                for k, v in (args.inputs or {}).items()
                if isinstance(v, (str, int, float, bool, list, dict))
            }
            mocked = mock_outputs.resource_outputs(
                args.typ, args.name, f"read::{args.typ}::{args.name}", inputs, region
            )
            resource_id = args.resource_id or mocked.id
            return resource_id, {**mocked.outputs, "id": resource_id}

    class RecordingMonitor(pulumi_mocks.MockMonitor):
        def __init__(self, mocks: ProgramMocks):
            super().__init__(mocks)
            mocks.monitor = self
            self.recorded: list[Resource] = []
            self.provider_regions: dict[str, str] = {}
            self.by_id: dict[str, dict[str, Any]] = {}

        def make_urn(self, parent: str, type_: str, name: str) -> str:
            # Engine-style: the parent's whole type chain, without the root Stack's type.
            chain = parent.split("::")[2] if parent else ""
            if chain and chain != _STACK_TYPE:
                type_ = f"{chain}${type_}"
            return f"urn:pulumi:{stack}::{project}::{type_}::{name}"

        def region_for(self, provider_ref: str | None) -> str:
            urn = provider_ref.rsplit("::", 1)[0] if provider_ref else ""
            return self.provider_regions.get(urn, default_region)

        def lookup(self, ref: Any) -> dict[str, Any] | None:
            if isinstance(ref, str):
                if ref in self.resources:
                    return dict(self.resources[ref].state)
                return self.by_id.get(ref)
            return None

        def RegisterResource(self, request):
            urn = self.make_urn(request.parent, request.type, request.name)
            if request.type == _STACK_TYPE:
                self.recorded.append(Resource(urn=urn, type=request.type, name=request.name, custom=False))
                return resource_pb2.RegisterResourceResponse(urn=urn)
            _ensure_event_loop()
            inputs = struct_to_plain(request.object)
            provider = request.provider.rsplit("::", 1)[0] if request.provider else None
            region = self.region_for(request.provider)
            children: list[Resource] = []
            if request.custom:
                if request.type == "pulumi:providers:aws":
                    self.provider_regions[urn] = inputs.get("region") or default_region
                mocked = mock_outputs.resource_outputs(request.type, request.name, urn, inputs, region)
                resource_id, state = mocked.id, mocked.outputs
                self.by_id[resource_id] = state
            elif request.remote and awsx.expandable(request.type):
                ctx = awsx.ExpansionContext(
                    stack=stack,
                    project=project,
                    region=region,
                    lookup=self.lookup,
                    default_vpc=mock_outputs.call_outputs("awsx:ec2:getDefaultVpc", {}, region),
                )
                try:
                    expansion = awsx.expand(request.type, request.name, urn, inputs, ctx)
                except awsx.AwsxError as exc:
                    raise Exception(f"{request.type} {request.name!r}: {exc}") from None
                resource_id, state = "", expansion.outputs
                for child in expansion.children:
                    child_id = str(child.outputs.get("id", ""))
                    self.resources[child.urn] = self.ResourceRegistration(child.urn, child_id, child.outputs)
                    if child_id:
                        self.by_id[child_id] = child.outputs
                children = expansion.children
            else:
                resource_id, state = "", {}
            obj_proto = _sync_await(rpc.serialize_properties(_to_wire(state), {}))
            self.resources[urn] = self.ResourceRegistration(urn, resource_id, _to_record(state))
            self.recorded.append(
                Resource(
                    urn=urn,
                    type=request.type,
                    name=request.name,
                    custom=bool(request.custom),
                    inputs=inputs,
                    outputs=_to_record(state),
                    parent=request.parent or None,
                    dependencies=sorted(set(request.dependencies)),
                    provider=provider,
                    remote=bool(request.remote),
                )
            )
            self.recorded.extend(children)
            return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id, object=obj_proto)

        def RegisterResourceOutputs(self, request):
            if request.urn.split("::")[2] == _STACK_TYPE:
                for resource in self.recorded:
                    if resource.urn == request.urn:
                        resource.outputs = struct_to_plain(request.outputs)
            return super().RegisterResourceOutputs(request)

    return ProgramMocks, RecordingMonitor


class _ErrorLog(logging.Handler):
    """Collects `pulumi.log.error` messages: the engine fails a deployment that logged an error."""

    def __init__(self):
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _run(request: dict[str, Any]) -> dict[str, Any]:
    program_dir = Path(request["program_dir"]).resolve()
    main = Path(request["main"]).resolve()
    os.chdir(program_dir)
    sys.path.insert(0, str(main.parent))
    sys.argv = [str(main)]
    os.environ["PULUMI_CONFIG"] = json.dumps(request["config"])
    os.environ["PULUMI_CONFIG_SECRET_KEYS"] = json.dumps(request["secret_keys"])

    import pulumi.runtime
    from google.protobuf import empty_pb2
    from pulumi.runtime import mocks as pulumi_mocks
    from pulumi.runtime.settings import configure
    from pulumi.runtime.stack import run_in_stack
    from pulumi.runtime.sync_await import _sync_await

    ProgramMocks, RecordingMonitor = _make_recorder(request)
    monitor = RecordingMonitor(ProgramMocks())
    errors = _ErrorLog()
    logger = logging.getLogger("costguard.capture.program")
    logger.propagate = False
    logger.addHandler(errors)
    pulumi.runtime.set_all_config(request["config"], request["secret_keys"])
    # pulumi.runtime.set_mocks without creating the Stack: run_in_stack does that, as the real host does.
    configure(
        pulumi_mocks.MockSettings(
            monitor=monitor,
            monitor_features=set(monitor.GetDeploymentInfo(empty_pb2.Empty()).supportedFeatures),
            engine=pulumi_mocks.MockEngine(logger),
            project=request["project"],
            stack=request["stack"],
            dry_run=False,
            organization="organization",
            root_directory=str(program_dir),
            callbacks=None,
        )
    )
    _sync_await(run_in_stack(lambda: runpy.run_path(str(main), run_name="__main__")))
    if errors.messages:
        return {"error": f"program logged an error: {errors.messages[0].splitlines()[0]}"}
    resources = monitor.recorded
    seen: set[str] = set()
    for resource in resources:
        if resource.urn in seen:
            # The engine refuses a second registration of a URN (sdk/go/common/diag/errors.go,
            # GetDuplicateResourceURNError); the mock monitor accepts it, so check here.
            return {"error": f"Duplicate resource URN '{resource.urn}'; try giving it a unique name"}
        seen.add(resource.urn)
    # Registrations come from worker threads in no fixed order: sort (stack, then URN) for stable output.
    resources.sort(key=lambda r: (r.type != _STACK_TYPE, r.urn))
    return {
        "graph": {
            "project": request["project"],
            "stack": request["stack"],
            "resources": [r.__dict__ for r in resources],
            "config": request["typed_config"],
        }
    }


def describe_error(exc: BaseException, program_dir: Path) -> str:
    """`<Type>: <first line> (FILE:LINE)`, FILE:LINE being the innermost frame in the program's own files."""
    root = exc
    while root.__cause__ is not None:
        root = root.__cause__
    message = (str(root).strip().splitlines() or [""])[0]
    if isinstance(root, SyntaxError):
        message = root.msg or message
    text = f"{type(root).__name__}: {message}" if message else type(root).__name__
    location = _program_location(root, program_dir) or _program_location(exc, program_dir)
    return f"{text} ({location})" if location else text


def _program_location(exc: BaseException, program_dir: Path) -> str | None:
    program_dir = program_dir.resolve()
    if isinstance(exc, SyntaxError) and exc.filename:
        where = _relative(Path(exc.filename), program_dir)
        if where:
            return f"{where}:{exc.lineno}"
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        where = _relative(Path(frame.filename), program_dir)
        if where:
            found = f"{where}:{frame.lineno}"
    return found


def _relative(path: Path, program_dir: Path) -> str | None:
    try:
        rel = path.resolve().relative_to(program_dir)
    except (ValueError, OSError):
        return None
    parts = rel.parts
    if parts and (parts[0].startswith(".venv") or "site-packages" in parts or parts[0] == "costguard"):
        return None
    return rel.as_posix()


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[1]).read_text())
    out = Path(request["out"])
    try:
        result = _run(request)
    except BaseException as exc:  # noqa: BLE001 - every program failure becomes a one-line report
        if isinstance(exc, SystemExit) and exc.code in (0, None):
            result = {"error": "program called sys.exit() before it finished registering resources"}
        elif isinstance(exc, SystemExit) and isinstance(exc.code, str):
            result = {"error": f"program failed: {exc.code.strip().splitlines()[0]}"}
        else:
            result = {
                "error": describe_error(exc, Path(request["program_dir"])),
                "traceback": "".join(traceback.format_exception(exc)),
            }
    out.write_text(json.dumps(result, default=str))
    sys.stdout.flush()
    sys.stderr.flush()
    # Skip interpreter teardown: leftover asyncio/grpc objects only print noise while being collected.
    os._exit(0 if "graph" in result else 1)


if __name__ == "__main__":
    main(sys.argv)
