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
