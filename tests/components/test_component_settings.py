"""Settings: defaults, dev/prod stack files, Pulumi.yaml parity, one test per rule with its message."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pytest
import yaml

from components.settings import (
    DEFAULTS,
    PROJECT,
    SCHEMA,
    Settings,
    SettingsError,
    cron_fires,
    settings_from_mapping,
    settings_from_pulumi_config,
    valid_cron,
)

ROOT = Path(__file__).resolve().parents[2]


def load(**overrides) -> Settings:
    values = {"aws:region": "eu-west-1", **overrides}
    return settings_from_mapping(values)


def error_of(**overrides) -> str:
    with pytest.raises(SettingsError) as caught:
        load(**overrides)
    message = str(caught.value)
    assert "\n" not in message
    return message


def stack_values(stack: str) -> dict:
    config = yaml.safe_load((ROOT / f"Pulumi.{stack}.yaml").read_text())["config"]
    return {key.removeprefix(f"{PROJECT}:"): value for key, value in config.items()}


# --- schema, defaults, stack files -----------------------------------------------------------------------


def test_pulumi_yaml_declares_exactly_the_schema():
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    assert project["name"] == PROJECT
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    declared = project["config"]
    assert list(declared) == [key.name for key in SCHEMA]
    for key in SCHEMA:
        entry = declared[key.name]
        assert entry["type"] == key.type, key.name
        assert entry["default"] == key.default, key.name
        assert entry["description"] == key.description, key.name
        if key.type == "array":
            assert entry["items"] == {"type": "string"}


def test_defaults_are_the_cheap_dev_shape():
    settings = load()
    assert (settings.cpu, settings.memory, settings.cpu_architecture) == (256, 512, "ARM64")
    assert settings.platform == "linux/arm64"
    assert (settings.min_tasks, settings.desired_tasks, settings.max_tasks) == (0, 1, 2)
    assert (settings.on_demand_base, settings.on_demand_weight, settings.spot_weight) == (0, 0, 1)
    assert settings.alert_email is None
    assert settings.sleep_schedule is None and settings.wake_schedule is None
    assert settings.cors_allow_origins == ()


def test_settings_are_frozen():
    settings = load()
    with pytest.raises(AttributeError):
        settings.cpu = 512  # type: ignore[misc]


def test_dev_stack_file():
    settings = settings_from_mapping(stack_values("dev"))
    assert settings.region == "eu-west-1"
    assert (settings.on_demand_base, settings.on_demand_weight, settings.spot_weight) == (0, 0, 1)
    assert settings.cpu_architecture == "ARM64"
    assert (settings.cpu, settings.memory) == (256, 512)
    assert (settings.min_tasks, settings.desired_tasks, settings.max_tasks) == (0, 1, 2)
    assert settings.log_retention_days == 7
    assert settings.monthly_budget_usd == 10
    assert not settings.point_in_time_recovery and not settings.deletion_protection


def test_prod_stack_file():
    settings = settings_from_mapping(stack_values("prod"))
    assert settings.region == "eu-west-1"
    assert (settings.on_demand_base, settings.on_demand_weight, settings.spot_weight) == (1, 0, 1)
    assert settings.max_tasks == 4
    assert settings.log_retention_days == 30
    assert settings.point_in_time_recovery and settings.deletion_protection
    assert settings.monthly_budget_usd == 30


def test_engine_strings_are_parsed():
    # The engine hands every value to the program as a string; arrays as JSON text.
    settings = load(
        cpu="512",
        memory="1024",
        containerInsights="true",
        corsAllowOrigins='["https://heatmap.example.org"]',
        alertEmail="ops@example.org",
    )
    assert (settings.cpu, settings.memory, settings.container_insights) == (512, 1024, True)
    assert settings.cors_allow_origins == ("https://heatmap.example.org",)
    assert settings.alert_email == "ops@example.org"


def test_settings_from_pulumi_config_reads_project_and_region(stack):
    pulumi.runtime.set_all_config(
        {"aws:region": "eu-west-1", f"{PROJECT}:cpu": "1024", f"{PROJECT}:memory": "3072"}, []
    )
    try:
        settings = settings_from_pulumi_config()
        assert (settings.region, settings.cpu, settings.memory) == ("eu-west-1", 1024, 3072)
    finally:
        pulumi.runtime.set_all_config({}, [])


def test_settings_error_is_a_run_error():
    # pulumi-language-python-exec prints a RunError's message alone, without a traceback.
    assert issubclass(SettingsError, pulumi.RunError)


# --- one test per rule, exact message --------------------------------------------------------------------


def test_rule_region_required():
    with pytest.raises(SettingsError) as caught:
        settings_from_mapping({})
    assert str(caught.value) == (
        "invalid config aws:region = null; allowed: an AWS region such as eu-west-1 "
        "(pulumi config set aws:region ...)"
    )


def test_rule_integer_type():
    assert error_of(cpu="a lot") == "invalid config safety-heatmap:cpu = 'a lot'; allowed: an integer"


def test_integer_with_a_sign_is_read_like_the_cli():
    assert load(cpu="+256").cpu == 256


def test_rule_boolean_type():
    assert error_of(containerInsights="yes") == (
        "invalid config safety-heatmap:containerInsights = 'yes'; allowed: true or false"
    )


def test_rule_array_type():
    assert error_of(corsAllowOrigins="https://a.example") == (
        "invalid config safety-heatmap:corsAllowOrigins = 'https://a.example'; allowed: a list of strings"
    )


def test_rule_fargate_cpu():
    assert error_of(cpu=300) == (
        "invalid config safety-heatmap:cpu = 300; allowed: 256, 512, 1024, 2048, 4096, 8192, 16384"
    )


def test_rule_fargate_memory_for_small_cpu():
    assert error_of(cpu=256, memory=4096) == (
        "invalid config safety-heatmap:memory = 4096; allowed: with cpu 256: 512, 1024, 2048"
    )


def test_rule_fargate_memory_for_large_cpu():
    assert error_of(cpu=8192, memory=18432) == (
        "invalid config safety-heatmap:memory = 18432; "
        "allowed: with cpu 8192: 16384 to 61440 in steps of 4096"
    )


@pytest.mark.parametrize(
    ("cpu", "memory"), [(256, 512), (512, 4096), (1024, 8192), (2048, 16384), (4096, 30720), (16384, 122880)]
)
def test_fargate_pairs_accepted(cpu, memory):
    assert load(cpu=cpu, memory=memory).memory == memory


def test_rule_architecture():
    assert error_of(cpuArchitecture="ARM") == (
        "invalid config safety-heatmap:cpuArchitecture = 'ARM'; allowed: ARM64 or X86_64"
    )


def test_x86_maps_to_amd64_platform():
    assert load(cpuArchitecture="x86_64").platform == "linux/amd64"


def test_rule_min_not_above_max():
    assert error_of(minTasks=3, maxTasks=2, desiredTasks=2) == (
        "invalid config safety-heatmap:minTasks = 3; allowed: an integer from 0 to 2"
    )


def test_rule_desired_between_min_and_max():
    assert error_of(minTasks=1, desiredTasks=3, maxTasks=2) == (
        "invalid config safety-heatmap:desiredTasks = 3; "
        "allowed: an integer from minTasks (1) to maxTasks (2)"
    )


def test_rule_max_positive():
    assert error_of(maxTasks=0, desiredTasks=0) == (
        "invalid config safety-heatmap:maxTasks = 0; allowed: an integer from 1 to 1000"
    )


def test_rule_on_demand_base_within_max():
    assert error_of(onDemandBase=3) == (
        "invalid config safety-heatmap:onDemandBase = 3; allowed: an integer from 0 to 2"
    )


def test_rule_some_weight_positive():
    assert error_of(spotWeight=0) == (
        "invalid config safety-heatmap:spotWeight = 0; "
        "allowed: an integer from 1 to 1000 when onDemandWeight is 0"
    )


def test_rule_cpu_target():
    assert error_of(cpuTargetPercent=95) == (
        "invalid config safety-heatmap:cpuTargetPercent = 95; allowed: an integer from 10 to 90"
    )


def test_rule_log_retention():
    assert error_of(logRetentionDays=10) == (
        "invalid config safety-heatmap:logRetentionDays = 10; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, "
        "180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653"
    )


def test_rule_log_retention_never_expire_rejected():
    assert error_of(logRetentionDays=0).startswith("invalid config safety-heatmap:logRetentionDays = 0; ")


def test_rule_image_keep_tagged():
    assert error_of(imageKeepTagged=0) == (
        "invalid config safety-heatmap:imageKeepTagged = 0; allowed: an integer from 1 to 1000"
    )


def test_rule_throttle_rate_positive():
    assert error_of(throttleRateLimit=0) == (
        "invalid config safety-heatmap:throttleRateLimit = 0; allowed: an integer from 1 to 10000"
    )


def test_rule_throttle_burst_positive():
    assert error_of(throttleBurstLimit=-5) == (
        "invalid config safety-heatmap:throttleBurstLimit = -5; allowed: an integer from 1 to 5000"
    )


def test_rule_cors_origin():
    assert error_of(corsAllowOrigins=["heatmap.example.org"]) == (
        "invalid config safety-heatmap:corsAllowOrigins = 'heatmap.example.org'; "
        "allowed: '*' or origins like https://heatmap.example.org[:port]"
    )


def test_rule_email():
    assert error_of(alertEmail="ops@localhost") == (
        "invalid config safety-heatmap:alertEmail = 'ops@localhost'; "
        "allowed: an email address such as ops@example.org, or empty"
    )


BUDGET_ALLOWED = "an amount in USD greater than 0 with at most 2 decimals, e.g. 10 or 12.50"


def test_rule_budget_positive():
    assert error_of(monthlyBudgetUsd=0) == (
        f"invalid config safety-heatmap:monthlyBudgetUsd = 0; allowed: {BUDGET_ALLOWED}"
    )


def test_rule_budget_is_an_amount():
    assert error_of(monthlyBudgetUsd="ten") == (
        f"invalid config safety-heatmap:monthlyBudgetUsd = 'ten'; allowed: {BUDGET_ALLOWED}"
    )


def test_rule_budget_in_cents_at_most():
    assert error_of(monthlyBudgetUsd=12.505) == (
        f"invalid config safety-heatmap:monthlyBudgetUsd = 12.505; allowed: {BUDGET_ALLOWED}"
    )


@pytest.mark.parametrize(("value", "amount"), [(12.5, 12.5), ("12.50", 12.5), ("10", 10.0), (30, 30.0)])
def test_budget_in_dollars_and_cents_accepted(value, amount):
    # Pulumi.yaml declares the key as a string (project config has no number type); the stack file may
    # hold 12.5 and the engine hands the program "12.5".
    assert load(monthlyBudgetUsd=value).monthly_budget_usd == amount


def test_rule_max_alarm_metrics():
    assert error_of(maxAlarmMetrics=8) == (
        "invalid config safety-heatmap:maxAlarmMetrics = 8; allowed: an integer from 10 to 100"
    )


def test_max_alarm_metrics_defaults_to_the_free_tier():
    assert load().max_alarm_metrics == 10
    assert load(maxAlarmMetrics="12").max_alarm_metrics == 12


def test_rule_alarm_latency():
    assert error_of(alarmLatencyMs=0) == (
        "invalid config safety-heatmap:alarmLatencyMs = 0; allowed: an integer from 1 to 30000"
    )


def test_rule_cron():
    assert error_of(sleepSchedule="0 20 * * *", wakeSchedule="cron(0 7 ? * MON-FRI *)") == (
        "invalid config safety-heatmap:sleepSchedule = '0 20 * * *'; allowed: cron(minute hour day-of-month "
        "month day-of-week year), e.g. cron(0 20 ? * * *)"
    )


def test_rule_schedules_go_together():
    assert error_of(sleepSchedule="cron(0 20 ? * * *)") == (
        "invalid config safety-heatmap:wakeSchedule = ''; allowed: a cron(...) expression: sleepSchedule "
        "and wakeSchedule go together"
    )


TIMEZONE_ALLOWED = "UTC, Etc/GMT+N or an IANA Area/City time zone such as Europe/Dublin"


def test_rule_timezone():
    assert error_of(scheduleTimezone="Europe/Atlantis") == (
        f"invalid config safety-heatmap:scheduleTimezone = 'Europe/Atlantis'; allowed: {TIMEZONE_ALLOWED}"
    )


@pytest.mark.parametrize("zone", ["posixrules", "EST5EDT", "US/Eastern", "Factory", "GMT", "right/UTC"])
def test_rule_timezone_region_city_only(zone):
    # zoneinfo loads these (tzdata ships them), but Application Auto Scaling takes only canonical IANA
    # names such as Etc/GMT+9 or Pacific/Tahiti (PutScheduledAction, Timezone).
    assert error_of(scheduleTimezone=zone) == (
        f"invalid config safety-heatmap:scheduleTimezone = '{zone}'; allowed: {TIMEZONE_ALLOWED}"
    )


@pytest.mark.parametrize("zone", ["UTC", "Europe/Dublin", "America/Argentina/Buenos_Aires", "Etc/GMT+9"])
def test_timezones_accepted(zone):
    assert load(scheduleTimezone=zone).schedule_timezone == zone


CRON_ALLOWED = "cron(minute hour day-of-month month day-of-week year), e.g. cron(0 20 ? * * *)"


def test_rule_cron_range_runs_forward():
    assert error_of(sleepSchedule="cron(0 20 ? * MON-SUN/2 *)", wakeSchedule="cron(0 7 ? * * *)") == (
        f"invalid config safety-heatmap:sleepSchedule = 'cron(0 20 ? * MON-SUN/2 *)'; allowed: {CRON_ALLOWED}"
    )


def test_rule_cron_must_fire():
    # 31 February never comes: the scheduled action would never run.
    assert error_of(sleepSchedule="cron(0 20 ? * * *)", wakeSchedule="cron(0 20 31 2 ? *)") == (
        "invalid config safety-heatmap:wakeSchedule = 'cron(0 20 31 2 ? *)'; "
        "allowed: a cron(...) that fires again: a day-of-month that exists in its months, a year not past"
    )


def test_rule_cron_year_not_past():
    # A year field of past years only: the action never runs again (and the plan must not price it).
    assert error_of(sleepSchedule="cron(0 20 ? * * 2020)", wakeSchedule="cron(0 7 ? * * *)") == (
        "invalid config safety-heatmap:sleepSchedule = 'cron(0 20 ? * * 2020)'; "
        "allowed: a cron(...) that fires again: a day-of-month that exists in its months, a year not past"
    )


@pytest.mark.parametrize(
    ("expression", "fires"),
    [
        ("cron(0 20 ? * * 2025)", False),
        ("cron(0 20 ? * * 2020-2025)", False),
        ("cron(0 20 ? * * 2026)", True),
        ("cron(0 20 ? * * 2020,2030)", True),
        ("cron(0 20 ? * * 2024/2)", True),
        ("cron(0 20 ? * * *)", True),
    ],
)
def test_cron_year_against_this_year(expression, fires):
    assert cron_fires(expression, this_year=2026) is fires


def test_rule_sleep_differs_from_wake():
    assert error_of(sleepSchedule="cron(0 20 ? * * *)", wakeSchedule="cron(0  20 ? * * *)") == (
        "invalid config safety-heatmap:wakeSchedule = 'cron(0  20 ? * * *)'; "
        "allowed: a cron(...) different from sleepSchedule"
    )


def test_schedules_accepted():
    settings = load(
        sleepSchedule="cron(0 20 ? * MON-FRI *)",
        wakeSchedule="cron(30 6 ? * 2-6 *)",
        scheduleTimezone="Europe/Dublin",
    )
    assert settings.sleep_schedule == "cron(0 20 ? * MON-FRI *)"
    assert settings.schedule_timezone == "Europe/Dublin"


@pytest.mark.parametrize(
    "expression",
    [
        "cron(0 20 ? * * *)",
        "cron(0/15 * * * ? *)",
        "cron(0 7 ? * MON-FRI *)",
        "cron(0 18 L * ? *)",
        "cron(0 8 ? * 6#3 *)",
        "cron(15 10 1,15 JAN-MAR ? 2027)",
        "cron(0 20 29 2 ? *)",  # leap years
        "cron(0 20 31 1-3 ? *)",  # January and March have a 31st
        "cron(0 20 ? * MON-SAT/2 *)",
    ],
)
def test_valid_cron(expression):
    assert valid_cron(expression)


@pytest.mark.parametrize(
    "expression",
    [
        "0 20 * * ? *",  # no cron(...)
        "cron(0 20 * * *)",  # five fields
        "cron(0 20 * * * *)",  # neither day field is '?'
        "cron(0 20 ? * ? *)",  # both day fields are '?'
        "cron(60 20 ? * * *)",  # minute out of range
        "cron(0 24 ? * * *)",  # hour out of range
        "cron(0 20 ? 13 * *)",  # month out of range
        "cron(0 20 ? * FUNDAY *)",
        "rate(5 minutes)",
        "cron(0 20 ? * MON-SUN/2 *)",  # a range runs forward (SUN is 1)
        "cron(0 22-2 ? * * *)",
        "cron(0 20 ? DEC-JAN * *)",
    ],
)
def test_invalid_cron(expression):
    assert not valid_cron(expression)


@pytest.mark.parametrize(
    "expression", ["cron(0 20 31 2 ? *)", "cron(0 20 30,31 FEB ? *)", "cron(0 20 31 APR,JUN,SEP ? *)"]
)
def test_well_formed_cron_that_never_fires(expression):
    assert valid_cron(expression) and not cron_fires(expression)


@pytest.mark.parametrize(
    "expression", ["cron(0 20 29 2 ? *)", "cron(0 20 31 * ? *)", "cron(0 20 L 2 ? *)", "cron(0 20 ? 2 MON *)"]
)
def test_cron_that_fires(expression):
    assert cron_fires(expression)


def test_defaults_mapping_matches_schema():
    assert DEFAULTS == {key.name: key.default for key in SCHEMA}


def test_readme_configuration_table_lists_every_key():
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Configuration", 1)[1]
    for key in SCHEMA:
        assert f"| `{key.name}` | {key.type} |" in section, key.name


def test_rule_github_repository():
    assert error_of(githubRepository="heatmap") == (
        "invalid config safety-heatmap:githubRepository = 'heatmap'; "
        "allowed: owner/name of a GitHub repository, or empty"
    )


def test_rule_github_oidc_provider_arn():
    assert error_of(githubOidcProviderArn="arn:aws:iam::123:oidc-provider/x") == (
        "invalid config safety-heatmap:githubOidcProviderArn = 'arn:aws:iam::123:oidc-provider/x'; allowed: "
        "arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com, or empty"
    )


def test_rule_github_state_backend_url():
    assert error_of(githubStateBackendUrl="https://bucket") == (
        "invalid config safety-heatmap:githubStateBackendUrl = 'https://bucket'; "
        "allowed: s3://bucket[/prefix], or empty"
    )


def test_rule_github_deploy_environments():
    assert error_of(githubDeployEnvironments=["prod env"]) == (
        'invalid config safety-heatmap:githubDeployEnvironments = ["prod env"]; '
        'allowed: a list of environment names, or ["*"]'
    )


def test_readme_sets_array_keys_one_element_at_a_time():
    # `pulumi config set KEY '["a"]'` stores a string, which the CLI refuses against `type: array`;
    # the documented form is `pulumi config set --path 'KEY[0]' a`.
    readme = (ROOT / "README.md").read_text()
    commands = [line.strip() for line in readme.splitlines() if "pulumi config set" in line]
    for key in (k.name for k in SCHEMA if k.type == "array"):
        for command in commands:
            words = command.split()
            if key in words or any(word.startswith(f"'{key}[") for word in words):
                assert f"--path '{key}[" in command, command
    assert any("--path 'corsAllowOrigins[0]' https://" in command for command in commands)


def test_rule_budget_scope():
    assert error_of(budgetScope="region") == (
        "invalid config safety-heatmap:budgetScope = 'region'; allowed: stack or account"
    )


def test_budget_scope_defaults_to_the_account():
    assert load().budget_scope == "account"
    assert load(budgetScope="stack").budget_scope == "stack"
