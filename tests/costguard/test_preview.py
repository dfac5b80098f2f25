import json
from pathlib import Path

import pytest

from costguard.preview import PreviewError, from_data, load

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "pulumi-preview"
CREATES = FIXTURES / "aws-ts-s3-lambda-creates.json"
SAMES = FIXTURES / "aws-ts-s3-lambda-update-show-sames.json"
SYNTHETIC = FIXTURES / "heatmap-dev-synthetic.json"


def test_real_preview_of_creates():
    graph = load(CREATES)
    assert (graph.project, graph.stack, graph.region) == ("sample", "dev", None)
    assert len(graph.resources) == 16
    assert {r.op for r in graph.resources} == {"create"}
    assert all(r.old_inputs is None for r in graph.resources)
    lambda_fn = next(r for r in graph.resources if r.type == "aws:lambda/function:Function")
    assert lambda_fn.name == "docsHandler" and "__defaults" not in lambda_fn.inputs
    assert lambda_fn.parent.endswith("aws:s3:BucketEventSubscription::docsHandler")
    component = next(r for r in graph.resources if r.type == "aws:s3:BucketEventSubscription")
    assert component.custom is False


def test_real_preview_with_sames():
    graph = load(SAMES)
    ops = [r.op for r in graph.resources]
    assert len(ops) == 16 and ops.count("same") == 15 and ops.count("update") == 1
    bucket = next(r for r in graph.resources if r.type == "aws:s3/bucket:Bucket")
    assert bucket.old_inputs == {"acl": "private", "bucket": "docs-4936161", "forceDestroy": False}
    assert bucket.outputs["region"] == "eu-west-1"


def test_replacement_steps_merge_into_one_resource():
    def state(retention):
        return {
            "type": "aws:cloudwatch/logGroup:LogGroup",
            "custom": True,
            "inputs": {"retentionInDays": retention},
        }

    urn = "urn:pulumi:dev::p::aws:cloudwatch/logGroup:LogGroup::logs"
    data = {
        "steps": [
            {"op": "create-replacement", "urn": urn, "oldState": state(0), "newState": state(14)},
            {"op": "replace", "urn": urn, "oldState": state(0), "newState": state(14)},
            {"op": "delete-replaced", "urn": urn, "oldState": state(0)},
        ]
    }
    graph = from_data(data)
    assert len(graph.resources) == 1
    (logs,) = graph.resources
    assert (logs.op, logs.inputs, logs.old_inputs) == (
        "replace",
        {"retentionInDays": 14},
        {"retentionInDays": 0},
    )


def test_delete_step_keeps_old_inputs():
    urn = "urn:pulumi:dev::p::aws:ec2/natGateway:NatGateway::nat"
    graph = from_data(
        {
            "steps": [
                {
                    "op": "delete",
                    "urn": urn,
                    "oldState": {"type": "aws:ec2/natGateway:NatGateway", "inputs": {"subnetId": "s"}},
                }
            ]
        }
    )
    assert graph.resources[0].op == "delete" and graph.resources[0].old_inputs == {"subnetId": "s"}


def test_stack_export_and_region_from_the_provider(tmp_path):
    export = {
        "version": 3,
        "deployment": {
            "manifest": {},
            "resources": [
                {
                    "urn": "urn:pulumi:prod::p::pulumi:pulumi:Stack::p-prod",
                    "custom": False,
                    "type": "pulumi:pulumi:Stack",
                },
                {
                    "urn": "urn:pulumi:prod::p::pulumi:providers:aws::default",
                    "custom": True,
                    "type": "pulumi:providers:aws",
                    "inputs": {"region": "us-east-1"},
                },
                {
                    "urn": "urn:pulumi:prod::p::aws:ec2/natGateway:NatGateway::nat",
                    "custom": True,
                    "type": "aws:ec2/natGateway:NatGateway",
                    "inputs": {},
                    "outputs": {"id": "nat-1"},
                },
            ],
        },
    }
    path = tmp_path / "export.json"
    path.write_text(json.dumps(export))
    graph = load(path)
    assert (graph.stack, graph.region, len(graph.resources)) == ("prod", "us-east-1", 3)
    assert {r.op for r in graph.resources} == {"same"}


def test_synthetic_preview_ops():
    graph = load(SYNTHETIC)
    ops = {r.name: r.op for r in graph.resources}
    assert ops["net-nat"] == "delete" and ops["api-logs"] == "replace" and ops["net-ecr-api"] == "create"
    assert graph.region == "eu-west-1"


@pytest.mark.parametrize(
    "content, fragment",
    [
        ("", "is empty"),
        ("   \n", "is empty"),
        ('{"steps": [', "is not valid JSON (line 1, col 12)"),
        ("Previewing update (dev):\n", "is not valid JSON (line 1, col 1)"),
        ("[1, 2]", "holds an array"),
        ("null", "holds null, not a preview object"),
        ('{"hello": 1}', "has no `steps` or `deployment`"),
        ('{"steps": [{"op": "create"}]}', "step 1 has no urn"),
        ('{"diagnostics": [{"severity": "error", "message": "boom\\nat x"}]}', "failed preview: boom at x"),
    ],
)
def test_bad_files_are_one_line_errors(tmp_path, content, fragment):
    path = tmp_path / "preview.json"
    path.write_text(content)
    with pytest.raises(PreviewError) as err:
        load(path)
    message = str(err.value)
    assert fragment in message and "\n" not in message


def test_truncated_real_file(tmp_path):
    path = tmp_path / "cut.json"
    path.write_bytes(SAMES.read_bytes()[:5000])
    with pytest.raises(
        PreviewError, match=r"is not valid JSON \(line \d+, col \d+\).*truncated.*pulumi preview --json"
    ):
        load(path)


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(PreviewError, match="not found"):
        load(tmp_path / "nope.json")
    with pytest.raises(PreviewError, match="is a directory"):
        load(tmp_path)
