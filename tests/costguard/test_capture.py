"""capture() on small programs in tests/programs/capture_*: what is recorded, and the one-line errors."""

import json
from collections import Counter
from pathlib import Path

import pytest

from costguard.capture import CaptureError, capture
from costguard.graph import Graph

PROGRAMS = Path(__file__).resolve().parents[1] / "programs"


@pytest.fixture(scope="module")
def nat():
    return capture(PROGRAMS / "capture_nat_gateway", "dev")


@pytest.fixture(scope="module")
def component():
    return capture(PROGRAMS / "capture_component", "dev")


@pytest.fixture(scope="module")
def calls():
    return capture(PROGRAMS / "capture_provider_calls", "dev")


def stack_outputs(graph):
    (stack,) = graph.of_type("pulumi:pulumi:Stack")
    return stack.outputs


def test_nat_gateway_program_inventory_and_urns(nat):
    assert nat.project == "capture-nat-gateway" and nat.stack == "dev"
    # azCount: default 2 in Pulumi.yaml, overridden to 1 by Pulumi.dev.yaml -> one subnet.
    assert Counter(r.type for r in nat.resources) == {
        "pulumi:pulumi:Stack": 1,
        "aws:ec2/vpc:Vpc": 1,
        "aws:ec2/internetGateway:InternetGateway": 1,
        "aws:ec2/subnet:Subnet": 1,
        "aws:ec2/eip:Eip": 1,
        "aws:ec2/natGateway:NatGateway": 1,
    }
    stack_urn = "urn:pulumi:dev::capture-nat-gateway::pulumi:pulumi:Stack::capture-nat-gateway-dev"
    urns = nat.by_urn()
    nat_gw = urns["urn:pulumi:dev::capture-nat-gateway::aws:ec2/natGateway:NatGateway::nat"]
    assert nat_gw.parent == stack_urn and nat_gw.custom and not nat_gw.remote and not nat_gw.synthesized
    assert set(nat_gw.dependencies) == {
        "urn:pulumi:dev::capture-nat-gateway::aws:ec2/internetGateway:InternetGateway::igw",
        "urn:pulumi:dev::capture-nat-gateway::aws:ec2/eip:Eip::nat",
        "urn:pulumi:dev::capture-nat-gateway::aws:ec2/subnet:Subnet::public-0",
    }
    eip = urns["urn:pulumi:dev::capture-nat-gateway::aws:ec2/eip:Eip::nat"]
    assert nat_gw.inputs["allocationId"] == eip.outputs["id"]


def test_inputs_are_camel_case_and_config_comes_from_both_files(nat):
    (vpc,) = nat.of_type("aws:ec2/vpc:Vpc")
    assert vpc.inputs == {"cidrBlock": "10.20.0.0/16", "enableDnsHostnames": True}
    (subnet,) = nat.of_type("aws:ec2/subnet:Subnet")
    assert subnet.inputs["mapPublicIpOnLaunch"] is True
    assert subnet.inputs["availabilityZone"] == "eu-west-1a"  # region from the stack file, AZ from the mock
    assert nat.config == {
        "capture-nat-gateway:cidr": "10.20.0.0/16",
        "capture-nat-gateway:azCount": 1,
        "aws:region": "eu-west-1",
        "capture-nat-gateway:dbPassword": "costguard-secret-placeholder",
    }
    assert nat.region == "eu-west-1"


def test_component_children_get_the_parent_type_chain(component):
    urns = component.by_urn()
    prefix = "urn:pulumi:dev::capture-component::"
    app = urns[prefix + "capture:app:App::app"]
    storage = urns[prefix + "capture:app:App$capture:storage:Storage::data"]
    assert not app.custom and not storage.custom and not storage.remote
    assert storage.parent == app.urn
    buckets = component.of_type("aws:s3/bucketV2:BucketV2")
    # bucketCount: 2 in Pulumi.yaml, 3 in Pulumi.dev.yaml; plus the logs bucket.
    assert sorted(b.name for b in buckets) == ["data-0", "data-1", "data-2", "data-logs"]
    for bucket in buckets:
        assert (
            bucket.urn
            == f"{prefix}capture:app:App$capture:storage:Storage$aws:s3/bucketV2:BucketV2::{bucket.name}"
        )
        assert bucket.parent == storage.urn
        assert bucket.inputs["tags"] == {"team": "maps"}  # from the object default in Pulumi.yaml


def test_explicit_provider_is_recorded_and_sets_the_region_of_its_resources(component):
    prefix = "urn:pulumi:dev::capture-component::"
    (topic,) = component.of_type("aws:sns/topic:Topic")
    assert topic.provider == prefix + "pulumi:providers:aws::frankfurt"
    assert topic.outputs["arn"].startswith("arn:aws:sns:eu-central-1:123456789012:alerts-")
    (bucket,) = [b for b in component.of_type("aws:s3/bucketV2:BucketV2") if b.name == "data-0"]
    assert bucket.provider is None
    assert stack_outputs(component)["owners"] == ["alice", "bob"]


def test_provider_calls_return_what_programs_parse(calls):
    out = stack_outputs(calls)
    assert out["account"] == "123456789012"
    assert out["region"] == out["regionName"] == "eu-west-1"
    assert out["partition"] == "aws"
    assert out["zones"] == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    assert out["zoneIds"] == ["euw1-az1", "euw1-az2", "euw1-az3"]
    assert out["statementCount"] == 2
    assert out["subnetCount"] == 3
    assert out["ami"].startswith("ami-0") and out["ssm"].startswith("ami-0")
    assert out["proxy"] == "https://123456789012.dkr.ecr.eu-west-1.amazonaws.com"


def test_policy_document_is_real_json_with_resolved_arns(calls):
    (policy,) = calls.of_type("aws:iam/rolePolicy:RolePolicy")
    (table,) = calls.of_type("aws:dynamodb/table:Table")
    document = json.loads(policy.inputs["policy"])
    arn = table.outputs["arn"]
    assert arn.startswith("arn:aws:dynamodb:eu-west-1:123456789012:table/reports-")
    assert document["Statement"][0] == {
        "Sid": "ReadWrite",
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
        "Resource": [arn, f"{arn}/index/*"],
    }
    assert document["Statement"][1] == {
        "Effect": "Allow",
        "Action": "sts:AssumeRole",
        "Principal": {"Service": "ecs-tasks.amazonaws.com"},
        "Condition": {"StringEquals": {"aws:SourceAccount": "123456789012"}},
    }


def test_interface_endpoint_program_with_project_level_region_value():
    graph = capture(PROGRAMS / "capture_interface_endpoint", "dev")
    assert graph.config == {"aws:region": "eu-west-1"}
    endpoints = {r.name: r for r in graph.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert endpoints["ecr-api"].inputs["vpcEndpointType"] == "Interface"
    assert endpoints["ecr-api"].inputs["serviceName"] == "com.amazonaws.eu-west-1.ecr.api"
    subnet_ids = {s.outputs["id"] for s in graph.of_type("aws:ec2/subnet:Subnet")}
    assert set(endpoints["ecr-api"].inputs["subnetIds"]) == subnet_ids and len(subnet_ids) == 2
    assert endpoints["dynamodb"].inputs["vpcEndpointType"] == "Gateway"


def test_program_exception_is_one_line_with_file_and_line():
    with pytest.raises(CaptureError) as err:
        capture(PROGRAMS / "capture_raises", "dev")
    assert str(err.value) == "program failed: ValueError: cpu 300 is not a Fargate size (__main__.py:10)"


def test_syntax_error_is_one_line(tmp_path):
    # Written here rather than kept in tests/programs, where it would break the linter.
    (tmp_path / "Pulumi.yaml").write_text("name: broken\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(
        '"""Not valid Python."""\n\nimport pulumi\n\ndef broken(:\n    pass\n'
    )
    with pytest.raises(CaptureError) as err:
        capture(tmp_path, "dev")
    assert str(err.value) == "program failed: SyntaxError: invalid syntax (__main__.py:5)"


def test_missing_required_config_is_pulumis_message_on_one_line(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("import pulumi\n\npulumi.Config().require('owners')\n")
    with pytest.raises(CaptureError) as err:
        capture(tmp_path, "dev")
    assert str(err.value) == (
        "program failed: ConfigMissingError: "
        "Missing required configuration variable 'demo:owners' (__main__.py:3)"
    )


def test_program_that_never_resolves_times_out():
    with pytest.raises(CaptureError) as err:
        capture(PROGRAMS / "capture_never_resolves", "dev", timeout=5)
    assert str(err.value) == (
        "program did not finish within 5 s: an Output or apply() that never resolves? "
        "Run with COSTGUARD_DEBUG=1 to see its output"
    )


def test_missing_program_directory(tmp_path):
    with pytest.raises(CaptureError) as err:
        capture(tmp_path / "nope", "dev")
    assert str(err.value) == f"program directory {tmp_path / 'nope'} does not exist: pass --program DIR"


@pytest.mark.parametrize(
    ("program", "expected"),
    [
        (
            'import pulumi_aws as aws\n\nb = aws.s3.BucketV2("b")\n\n\ndef boom(name):\n'
            '    raise RuntimeError("bad bucket")\n\n\nb.bucket.apply(boom)\n',
            "program failed: RuntimeError: bad bucket (__main__.py:7)",
        ),
        (
            'import pulumi\n\npulumi.log.error("invalid cpu 300: use 256 or 512")\n',
            "program logged an error: invalid cpu 300: use 256 or 512",
        ),
        (
            'import sys\n\nsys.exit("invalid demo:cpu=300: allowed 256, 512")\n',
            "program failed: invalid demo:cpu=300: allowed 256, 512",
        ),
    ],
    ids=["apply-raises", "log-error", "sys-exit-message"],
)
def test_other_program_failures_are_one_line(tmp_path, program, expected):
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(program)
    with pytest.raises(CaptureError) as err:
        capture(tmp_path, "dev")
    assert str(err.value) == expected


def test_program_output_on_stdout_does_not_disturb_the_graph(tmp_path):
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(
        'import pulumi_aws as aws\n\nprint("{not json")\naws.s3.BucketV2("b")\n'
    )
    graph = capture(tmp_path, "dev")
    assert [r.type for r in graph.resources] == ["pulumi:pulumi:Stack", "aws:s3/bucketV2:BucketV2"]


def test_capture_is_stable_and_round_trips_as_json(component):
    again = capture(PROGRAMS / "capture_component", "dev")
    assert again.to_json() == component.to_json()
    assert Graph.from_dict(json.loads(component.to_json())) == component


def test_command_line_inventory_and_usage_error(capsys, tmp_path):
    from costguard.capture import main

    assert main(["--program", str(PROGRAMS / "capture_nat_gateway"), "--stack", "dev"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "capture-nat-gateway / dev: 5 resources (region eu-west-1)"
    assert any(line.split() == ["aws:ec2/natGateway:NatGateway", "nat"] for line in out)
    assert main(["--program", str(tmp_path), "--stack", "dev"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: no Pulumi.yaml in {tmp_path}:") and err.count("\n") == 1


@pytest.mark.parametrize("extra", [["--json"], []])
def test_a_reader_that_stops_early_is_no_traceback(extra):
    # `python -m costguard.capture ... --json | head`: the reader goes away before the output is
    # written. Closing our end of the pipe first makes every write fail, whatever the output's size.
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "costguard.capture", "--program", str(PROGRAMS / "capture_nat_gateway")]
    proc = subprocess.Popen(
        [*command, *extra], cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    proc.stdout.close()
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 0, err
    assert err == ""
