import pytest

from costguard.pricing import Usage, UsageError
from costguard.pricing.usage import usage_keys


def test_defaults_are_documented():
    keys = usage_keys()
    assert keys["api_requests_per_month"].default == 1_000_000
    assert all(k.doc and k.unit for k in keys.values())


def test_precedence_defaults_top_stack_resource(tmp_path):
    path = tmp_path / "usage.yml"
    path.write_text(
        "api_requests_per_month: 2000000\n"
        "stacks:\n"
        "  prod:\n"
        "    api_requests_per_month: 30000000\n"
        "    resources:\n"
        "      big-api: {api_requests_per_month: 90000000}\n"
        "resources:\n"
        "  big-api: {api_requests_per_month: 5000000}\n"
    )
    usage = Usage.load(path)
    assert usage.view("dev", "other")["api_requests_per_month"] == 2_000_000
    assert usage.view("prod", "other")["api_requests_per_month"] == 30_000_000
    assert usage.view("dev", "big-api")["api_requests_per_month"] == 5_000_000
    assert usage.view("prod", "big-api")["api_requests_per_month"] == 90_000_000
    assert usage.view("dev", "x")["ecr_storage_gb"] == 0.5  # untouched default


def test_lookups_are_recorded_as_assumptions_with_their_source(tmp_path):
    path = tmp_path / "usage.yml"
    path.write_text("resources:\n  t: {dynamodb_storage_gb: 3}\n")
    usage = Usage.load(path)
    usage.view("dev", "t")["dynamodb_storage_gb"]
    usage.view("dev", "u")["dynamodb_storage_gb"]
    got = {(a.key, a.scope): (a.value, a.source) for a in usage.assumptions()}
    assert got == {
        ("dynamodb_storage_gb", "t"): (3.0, "usage.yml: resources"),
        ("dynamodb_storage_gb", ""): (1.0, "default"),
    }


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("api_requests: 5\n", "unknown key 'api_requests'"),
        ("stacks:\n  dev:\n    nat_gb: 1\n", "unknown key 'stacks.dev.nat_gb'"),
        ("ecr_storage_gb: lots\n", "ecr_storage_gb must be a number >= 0"),
        ("ecr_storage_gb: -1\n", "ecr_storage_gb must be a number >= 0"),
        ("- a\n- b\n", "must be a mapping"),
        ("a: [1,\n", "is not valid YAML (line"),
        ("ecr_storage_gb: .nan\n", "ecr_storage_gb must be a finite number, got nan"),
        ("ecr_storage_gb: .inf\n", "ecr_storage_gb must be a finite number, got inf"),
        ("ecr_storage_gb: 1e400\n", "ecr_storage_gb must be a finite number, got '1e400'"),
        (
            "ecr_storage_gb: derived\n",
            "ecr_storage_gb must be a number >= 0, got 'derived'; write e.g. 2000000 or 2e6",
        ),
        ("fargate_task_count: lots\n", "must be a number >= 0 (or derived, or -1, to derive it), got 'lots'"),
        ("version: [1]\n", "version must be an integer or a string, got a list [1]"),
        ("version: 1.5\n", "version must be an integer or a string, got a number 1.5"),
        # The kind of value YAML read, with the right article: never "a int" or "a float".
        ("5\n", "must be a mapping of usage keys, got a number"),
        ("stacks: 3\n", "stacks must be a mapping, got a number"),
        ("resources:\n  api: 2.5\n", "resources.api must be a mapping, got a number"),
        ("ecr_storage_gb: 2020-01-01\n", "ecr_storage_gb must be a number >= 0, got a date 2020-01-01;"),
        ("ecr_storage_gb: !!binary aGk=\n", "got binary data"),
        ("a: " + "[" * 5000 + "\n", "usage file"),
    ],
)
def test_bad_usage_files_are_one_line_errors(tmp_path, text, fragment):
    path = tmp_path / "usage.yml"
    path.write_text(text)
    with pytest.raises(UsageError) as err:
        Usage.load(path)
    assert fragment in str(err.value) and "\n" not in str(err.value)


def test_minus_one_means_derive_only_where_documented(tmp_path):
    path = tmp_path / "usage.yml"
    path.write_text("fargate_task_count: -1\nlog_gb_stored: -1\n")
    assert Usage.load(path).view("dev", "x")["fargate_task_count"] == -1


def test_missing_usage_file(tmp_path):
    with pytest.raises(UsageError, match="not found"):
        Usage.load(tmp_path / "nope.yml")


def test_numbers_in_scientific_notation_are_numbers(tmp_path):
    # YAML 1.1 (PyYAML) reads 1e30 and 2e6 as strings: they still mean numbers in a usage file.
    path = tmp_path / "usage.yml"
    path.write_text("api_requests_per_month: 2e6\nstacks:\n  prod: {dynamodb_reads_per_month: 1.5E7}\n")
    usage = Usage.load(path)
    assert usage.view("dev", "x")["api_requests_per_month"] == 2_000_000
    assert usage.view("prod", "x")["dynamodb_reads_per_month"] == 15_000_000
    # The policy pack's schema wants numbers: what `plan` hands it is converted.
    assert usage.data == {
        "api_requests_per_month": 2e6,
        "stacks": {"prod": {"dynamodb_reads_per_month": 1.5e7}},
    }


def test_derived_is_accepted_where_the_report_prints_it(tmp_path):
    from costguard.graph import Graph
    from costguard.pricing import estimate
    from costguard.report import render

    path = tmp_path / "usage.yml"
    path.write_text("fargate_task_count: derived\nresources:\n  svc: {log_gb_stored: Derived}\n")
    usage = Usage.load(path)
    assert usage.view("dev", "svc")["fargate_task_count"] == -1
    assert usage.view("dev", "svc")["log_gb_stored"] == -1
    assert usage.data["fargate_task_count"] == -1
    graph = Graph("p", "dev", [], {"aws:region": "us-east-1"})
    cost = estimate(graph, usage=usage)
    usage.view("dev", "svc")["fargate_task_count"]
    cost.assumptions = usage.assumptions()
    line = next(x for x in render(cost, "table").splitlines() if "fargate_task_count" in x)
    assert line.strip().startswith("fargate_task_count = derived")


def test_binary_usage_file_is_a_one_line_error(tmp_path):
    path = tmp_path / "usage.yml"
    path.write_bytes(bytes(range(256)))
    with pytest.raises(UsageError) as err:
        Usage.load(path)
    assert "is not UTF-8 text" in str(err.value) and "\n" not in str(err.value)
