"""The stack's configuration: declared once (SCHEMA), read once, validated, frozen.

`Pulumi.yaml` declares the same keys with the same types, defaults and descriptions (a test keeps
the two equal). Every invalid value raises `SettingsError` whose message is one line naming the key,
the value and what is allowed. `SettingsError` is a `pulumi.RunError`: the Python language host
prints a RunError as a plain error line, without a traceback (pulumi-language-python-exec logs
`str(e)` and exits 1).
"""

from __future__ import annotations

import datetime
import json
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

PROJECT = "safety-heatmap"


class SettingsError(pulumi.RunError):
    """An invalid stack configuration value. The message is a single line."""


@dataclass(frozen=True)
class ConfigKey:
    name: str
    type: str  # Pulumi.yaml config type: string | integer | boolean | array (of strings)
    default: Any
    description: str


SCHEMA: tuple[ConfigKey, ...] = (
    ConfigKey("cpu", "integer", 256, "Fargate task CPU units (256 = 0.25 vCPU)."),
    ConfigKey("memory", "integer", 512, "Fargate task memory in MiB; must be a pair AWS accepts with cpu."),
    ConfigKey("cpuArchitecture", "string", "ARM64", "Task CPU architecture: ARM64 (cheaper) or X86_64."),
    ConfigKey("desiredTasks", "integer", 1, "Tasks to run after a deployment (0 parks the service)."),
    ConfigKey("minTasks", "integer", 0, "Lowest task count autoscaling may set; 0 allows parking/sleeping."),
    ConfigKey("maxTasks", "integer", 2, "Highest task count autoscaling may set."),
    ConfigKey(
        "onDemandBase", "integer", 0, "Tasks that always run on on-demand FARGATE before Spot is used."
    ),
    ConfigKey("onDemandWeight", "integer", 0, "Capacity provider weight of FARGATE beyond the base."),
    ConfigKey("spotWeight", "integer", 1, "Capacity provider weight of FARGATE_SPOT."),
    ConfigKey("cpuTargetPercent", "integer", 60, "Average service CPU that target tracking keeps (10-90)."),
    ConfigKey("logRetentionDays", "integer", 7, "Retention of every log group, in days (CloudWatch's set)."),
    ConfigKey("containerInsights", "boolean", False, "Turn on ECS Container Insights (paid custom metrics)."),
    ConfigKey("pointInTimeRecovery", "boolean", False, "DynamoDB point-in-time recovery (billed per GB)."),
    ConfigKey("deletionProtection", "boolean", False, "Protect the table from deletion; keep ECR images."),
    ConfigKey("imageKeepTagged", "integer", 5, "Tagged images ECR keeps; untagged ones expire after 1 day."),
    ConfigKey("throttleRateLimit", "integer", 20, "API steady-state request rate limit (requests/second)."),
    ConfigKey("throttleBurstLimit", "integer", 40, "API burst limit (requests)."),
    ConfigKey("corsAllowOrigins", "array", [], "Origins allowed by CORS, e.g. https://heatmap.example.org."),
    ConfigKey("alertEmail", "string", "", "Email for alarms and budget alerts; empty = no subscription."),
    # A string: Pulumi project config types are string, integer, boolean and array (no number), and an
    # integer key rejects 12.5. The CLI hands any scalar in the stack file to a string key as its text.
    ConfigKey("monthlyBudgetUsd", "string", "10", "AWS Budgets monthly cost limit in USD, e.g. 10 or 12.50."),
    ConfigKey(
        "budgetScope",
        "string",
        "account",
        "account: the budget counts all costs of the account; stack: only costs tagged "
        "pulumi-stack=<project>-<stack> (activate the tag first).",
    ),
    ConfigKey("alarmLatencyMs", "integer", 2000, "API p90 latency (ms) above which the latency alarm fires."),
    ConfigKey(
        "maxAlarmMetrics",
        "integer",
        10,
        "Alarm metrics the stack may use, target tracking's included (10 free; above adds optional alarms).",
    ),
    ConfigKey("sleepSchedule", "string", "", "cron(...) when the service scales to zero; empty = never."),
    ConfigKey("wakeSchedule", "string", "", "cron(...) when the service scales back up; empty = never."),
    ConfigKey("scheduleTimezone", "string", "UTC", "IANA time zone of the sleep/wake schedules."),
    ConfigKey(
        "githubRepository", "string", "", "owner/name whose CI may deploy (creates OIDC roles); empty = off."
    ),
    ConfigKey(
        "githubOidcProviderArn", "string", "", "Existing GitHub OIDC provider ARN; empty = create one."
    ),
    ConfigKey(
        "githubStateBackendUrl", "string", "", "s3://bucket[/prefix] state backend the CI roles may use."
    ),
    ConfigKey(
        "githubDeployEnvironments",
        "array",
        [],
        "GitHub environments for the deploy role; empty = the stack's.",
    ),
)

DEFAULTS: dict[str, Any] = {key.name: key.default for key in SCHEMA}

# Fargate Linux task sizes (ECS developer guide, "Task CPU and memory"): cpu -> allowed memory MiB.
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: (1024, 2048, 3072, 4096),
    1024: tuple(range(2048, 8192 + 1, 1024)),
    2048: tuple(range(4096, 16384 + 1, 1024)),
    4096: tuple(range(8192, 30720 + 1, 1024)),
    8192: tuple(range(16384, 61440 + 1, 4096)),
    16384: tuple(range(32768, 122880 + 1, 8192)),
}

# CloudWatch Logs PutRetentionPolicy retentionInDays values (0/"never expire" deliberately excluded).
LOG_RETENTION_DAYS: tuple[int, ...] = (
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
)  # fmt: skip

ARCHITECTURES = ("ARM64", "X86_64")
BUDGET_SCOPES = ("stack", "account")
PLATFORMS = {"ARM64": "linux/arm64", "X86_64": "linux/amd64"}

# API Gateway account-level defaults per Region: 10,000 requests/s steady state, 5,000 burst.
MAX_THROTTLE_RATE = 10_000
MAX_THROTTLE_BURST = 5_000

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_ORIGIN = re.compile(r"^https?://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*(:\d{1,5})?$")


@dataclass(frozen=True)
class Settings:
    region: str
    cpu: int
    memory: int
    cpu_architecture: str
    desired_tasks: int
    min_tasks: int
    max_tasks: int
    on_demand_base: int
    on_demand_weight: int
    spot_weight: int
    cpu_target_percent: int
    log_retention_days: int
    container_insights: bool
    point_in_time_recovery: bool
    deletion_protection: bool
    image_keep_tagged: int
    throttle_rate_limit: int
    throttle_burst_limit: int
    cors_allow_origins: tuple[str, ...]
    alert_email: str | None
    monthly_budget_usd: float
    budget_scope: str
    alarm_latency_ms: int
    max_alarm_metrics: int
    sleep_schedule: str | None
    wake_schedule: str | None
    schedule_timezone: str
    github_repository: str | None = None
    github_oidc_provider_arn: str | None = None
    github_state_backend_url: str | None = None
    github_deploy_environments: tuple[str, ...] = ()

    @property
    def platform(self) -> str:
        """Docker platform of the image, matching the task's CPU architecture."""
        return PLATFORMS[self.cpu_architecture]


Getter = Callable[[str], Any]


def _fail(key: str, value: Any, allowed: str) -> SettingsError:
    name = key if ":" in key else f"{PROJECT}:{key}"
    return SettingsError(f"invalid config {name} = {_show(value)}; allowed: {allowed}")


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return json.dumps(value)


def _int(key: str, raw: Any) -> int:
    if isinstance(raw, bool):
        raise _fail(key, raw, "an integer")
    if isinstance(raw, int):
        return raw
    # The CLI checks integers with Go's strconv.Atoi, which takes a sign: "+256" passes there too.
    if isinstance(raw, str) and re.fullmatch(r"[+-]?\d+", raw.strip()):
        return int(raw)
    raise _fail(key, raw, "an integer")


def _bool(key: str, raw: Any) -> bool:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, str) and raw.strip().lower() in ("true", "false"):
        return raw.strip().lower() == "true"
    raise _fail(key, raw, "true or false")


def _str(key: str, raw: Any) -> str:
    if isinstance(raw, str):
        return raw.strip()
    raise _fail(key, raw, "a string")


def _str_list(key: str, raw: Any) -> tuple[str, ...]:
    value = raw
    if isinstance(raw, str):  # the engine hands array config to the program as JSON text
        try:
            value = json.loads(raw) if raw.strip() else []
        except json.JSONDecodeError:
            raise _fail(key, raw, "a list of strings") from None
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise _fail(key, raw, "a list of strings")
    return tuple(value)


_AMOUNT = re.compile(r"\d+(\.\d{1,2})?")
_AMOUNT_ALLOWED = "an amount in USD greater than 0 with at most 2 decimals, e.g. 10 or 12.50"


def _amount(key: str, raw: Any) -> float:
    """Dollars and cents from 10, 12.5 (YAML) or "12.50" (the engine's text)."""
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise _fail(key, raw, _AMOUNT_ALLOWED)
    text = raw.strip() if isinstance(raw, str) else repr(raw)
    if not _AMOUNT.fullmatch(text) or float(text) <= 0:
        raise _fail(key, raw, _AMOUNT_ALLOWED)
    return float(text)


# Keys whose value is more specific than their Pulumi.yaml type.
_KEY_READERS: dict[str, Callable[[str, Any], Any]] = {"monthlyBudgetUsd": _amount}

_READERS: dict[str, Callable[[str, Any], Any]] = {
    "integer": _int,
    "boolean": _bool,
    "string": _str,
    "array": _str_list,
}


def _range(key: str, value: int, low: int, high: int) -> int:
    if not low <= value <= high:
        raise _fail(key, value, f"an integer from {low} to {high}")
    return value


# --- cron(...) as EventBridge and Application Auto Scaling scheduled actions accept it ---------------------
# Fields, ranges, names and the special characters as the Application Auto Scaling User Guide ("Schedule
# recurring scaling actions using cron expressions") and the EventBridge cron reference describe them;
# neither documents wrap-around ranges (FRI-MON, 22-2), so a range must run forward.
_MONTHS = "JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC"
_DAYS = "SUN|MON|TUE|WED|THU|FRI|SAT"
_NUMBERS = {name: index + 1 for names in (_MONTHS, _DAYS) for index, name in enumerate(names.split("|"))}
# The longest month has 31 days, February 29 (leap years).
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def _value(atom: str) -> int:
    return _NUMBERS[atom] if atom in _NUMBERS else int(atom)


def _cron_values(field: str, low: int, high: int, names: str = "", extra: str = "") -> set[int] | None:
    """The values one cron field selects within [low, high]; an empty set when it is malformed.

    `*`, values, forward ranges, steps and lists (and names where the field has them). A part that
    matches `extra` (L, W, #) is valid but selects no fixed value: the result is then None ("some").
    """
    if field == "*":
        return set(range(low, high + 1))
    atom = rf"(\d+|{names})" if names else r"(\d+)"
    selected: set[int] = set()
    special = False
    for part in field.split(","):
        if extra and re.fullmatch(extra, part):
            numbers = [int(n) for n in re.findall(r"\d+", part.split("#")[0])]
            if any(not low <= n <= high for n in numbers):
                return set()
            special = True
            continue
        match = re.fullmatch(rf"(\*|{atom}(-{atom})?)(/(\d+))?", part)
        if not match:
            return set()
        if match.group(1) == "*":
            first, last = low, high
        else:
            first = _value(match.group(2))
            last = _value(match.group(4)) if match.group(4) else first
            if match.group(5) is not None and match.group(3) is None:
                last = high  # a/b: from a, every b
        if not (low <= first <= high and low <= last <= high) or first > last:
            return set()
        step = int(match.group(6)) if match.group(6) is not None else 1
        if step < 1:
            return set()
        selected.update(range(first, last + 1, step))
    return None if special else selected


_DAY_SPECIALS = r"([1-7]|" + _DAYS + r")(L|#[1-5])|L"


def _cron_fields(expression: str) -> list[str] | None:
    match = re.fullmatch(r"cron\((.+)\)", expression.strip())
    if not match:
        return None
    fields = match.group(1).split()
    return fields if len(fields) == 6 else None


def valid_cron(expression: str) -> bool:
    """True for `cron(min hour day-of-month month day-of-week year)` with `?` in one of the day fields."""
    fields = _cron_fields(expression)
    if fields is None:
        return False
    minute, hour, dom, month, dow, year = fields
    # Exactly one of day-of-month / day-of-week is '?' (EventBridge and App Auto Scaling both require it).
    if (dom == "?") == (dow == "?"):
        return False
    checks = (
        _cron_values(minute, 0, 59),
        _cron_values(hour, 0, 23),
        {1} if dom == "?" else _cron_values(dom, 1, 31, extra=r"L|LW|\d{1,2}W"),
        _cron_values(month, 1, 12, names=_MONTHS),
        {1} if dow == "?" else _cron_values(dow, 1, 7, names=_DAYS, extra=_DAY_SPECIALS),
        _cron_values(year, 1970, 2199),
    )
    return all(values != set() for values in checks)


def cron_fires(expression: str, this_year: int | None = None) -> bool:
    """False for a well-formed cron(...) that never fires again: its day-of-month exists in none of its
    months (31 February), or its year field names only years before this one."""
    fields = _cron_fields(expression)
    if fields is None:
        return False
    this_year = this_year or datetime.datetime.now(datetime.UTC).year
    years = _cron_values(fields[5], 1970, 2199)
    if years is not None and max(years, default=0) < this_year:
        return False
    dom, month = fields[2], fields[3]
    if dom == "?":
        return True
    days = _cron_values(dom, 1, 31, extra=r"L|LW")  # L/LW: the last day, which every month has
    if days is None:
        return True
    if not days:  # nW: the weekday nearest day n, in the month only when day n exists
        days = {int(n) for n in re.findall(r"(\d+)W", dom)}
    months = _cron_values(month, 1, 12, names=_MONTHS) or set()
    return any(day <= _MONTH_DAYS[m - 1] for day in days for m in months)


# Application Auto Scaling takes "the canonical names of the IANA time zones supported by Joda-Time (such
# as Etc/GMT+9 or Pacific/Tahiti)" (API reference, PutScheduledAction, Timezone). zoneinfo also loads
# files that are not such names (posixrules, EST5EDT, US/Eastern, right/UTC): only UTC, Etc/GMT+-N and
# Area/City names under the IANA regions pass.
_ZONE_AREAS = "Africa America Antarctica Arctic Asia Atlantic Australia Europe Indian Pacific".split()
_ZONE_NAME = re.compile(
    r"UTC|Etc/GMT([+-]([1-9]|1[0-4]))?|(" + "|".join(_ZONE_AREAS) + r")(/[A-Z][A-Za-z0-9_+-]*){1,2}"
)


def _timezone(key: str, value: str) -> str:
    allowed = "UTC, Etc/GMT+N or an IANA Area/City time zone such as Europe/Dublin"
    if not _ZONE_NAME.fullmatch(value):
        raise _fail(key, value, allowed)
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise _fail(key, value, allowed) from None
    return value


def load_settings(get: Getter) -> Settings:
    """Read every key through `get` (short key name -> raw value or None), apply defaults, validate.

    `get("aws:region")` must return the provider region. Raw values may be typed (from YAML) or the
    strings the Pulumi engine passes to a program.
    """
    raw: dict[str, Any] = {}
    for key in SCHEMA:
        value = get(key.name)
        reader = _KEY_READERS.get(key.name) or _READERS[key.type]
        raw[key.name] = reader(key.name, key.default if value is None else value)

    region = get("aws:region")
    if not isinstance(region, str) or not re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", region.strip()):
        raise _fail(
            "aws:region", region, "an AWS region such as eu-west-1 (pulumi config set aws:region ...)"
        )

    cpu = raw["cpu"]
    if cpu not in FARGATE_MEMORY:
        raise _fail("cpu", cpu, ", ".join(str(c) for c in FARGATE_MEMORY))
    memory = raw["memory"]
    if memory not in FARGATE_MEMORY[cpu]:
        raise _fail("memory", memory, f"with cpu {cpu}: {_memory_choices(cpu)}")

    architecture = raw["cpuArchitecture"].upper()
    if architecture not in ARCHITECTURES:
        raise _fail("cpuArchitecture", raw["cpuArchitecture"], " or ".join(ARCHITECTURES))

    max_tasks = _range("maxTasks", raw["maxTasks"], 1, 1000)
    min_tasks = _range("minTasks", raw["minTasks"], 0, max_tasks)
    desired = raw["desiredTasks"]
    if not (min_tasks <= desired <= max_tasks):
        raise _fail(
            "desiredTasks", desired, f"an integer from minTasks ({min_tasks}) to maxTasks ({max_tasks})"
        )

    base = _range("onDemandBase", raw["onDemandBase"], 0, max_tasks)
    on_demand_weight = _range("onDemandWeight", raw["onDemandWeight"], 0, 1000)
    spot_weight = _range("spotWeight", raw["spotWeight"], 0, 1000)
    if on_demand_weight == 0 and spot_weight == 0:
        raise _fail("spotWeight", spot_weight, "an integer from 1 to 1000 when onDemandWeight is 0")

    cpu_target = _range("cpuTargetPercent", raw["cpuTargetPercent"], 10, 90)

    retention = raw["logRetentionDays"]
    if retention not in LOG_RETENTION_DAYS:
        raise _fail("logRetentionDays", retention, ", ".join(str(d) for d in LOG_RETENTION_DAYS))

    keep = _range("imageKeepTagged", raw["imageKeepTagged"], 1, 1000)

    rate = raw["throttleRateLimit"]
    if not 0 < rate <= MAX_THROTTLE_RATE:
        raise _fail("throttleRateLimit", rate, f"an integer from 1 to {MAX_THROTTLE_RATE}")
    burst = raw["throttleBurstLimit"]
    if not 0 < burst <= MAX_THROTTLE_BURST:
        raise _fail("throttleBurstLimit", burst, f"an integer from 1 to {MAX_THROTTLE_BURST}")

    origins = raw["corsAllowOrigins"]
    for origin in origins:
        if origin != "*" and not _ORIGIN.fullmatch(origin):
            raise _fail("corsAllowOrigins", origin, "'*' or origins like https://heatmap.example.org[:port]")

    email = raw["alertEmail"] or None
    if email is not None and not _EMAIL.fullmatch(email):
        raise _fail("alertEmail", email, "an email address such as ops@example.org, or empty")

    budget = raw["monthlyBudgetUsd"]
    budget_scope = raw["budgetScope"].lower()
    if budget_scope not in BUDGET_SCOPES:
        raise _fail("budgetScope", raw["budgetScope"], " or ".join(BUDGET_SCOPES))

    latency = _range("alarmLatencyMs", raw["alarmLatencyMs"], 1, 30_000)
    # Fewer than the free 10 saves nothing, and the default alarm set needs all 10.
    max_alarm_metrics = _range("maxAlarmMetrics", raw["maxAlarmMetrics"], 10, 100)

    sleep = raw["sleepSchedule"] or None
    wake = raw["wakeSchedule"] or None
    for key, expression in (("sleepSchedule", sleep), ("wakeSchedule", wake)):
        if expression is not None and not valid_cron(expression):
            raise _fail(
                key,
                expression,
                "cron(minute hour day-of-month month day-of-week year), e.g. cron(0 20 ? * * *)",
            )
    for key, expression in (("sleepSchedule", sleep), ("wakeSchedule", wake)):
        if expression is not None and not cron_fires(expression):
            raise _fail(
                key,
                expression,
                "a cron(...) that fires again: a day-of-month that exists in its months, a year not past",
            )
    if sleep is not None and wake is not None and sleep.split() == wake.split():
        raise _fail("wakeSchedule", wake, "a cron(...) different from sleepSchedule")
    if (sleep is None) != (wake is None):
        missing = "wakeSchedule" if wake is None else "sleepSchedule"
        raise _fail(missing, "", "a cron(...) expression: sleepSchedule and wakeSchedule go together")
    timezone = _timezone("scheduleTimezone", raw["scheduleTimezone"])
    github = _github(raw)

    return Settings(
        region=region.strip(),
        cpu=cpu,
        memory=memory,
        cpu_architecture=architecture,
        desired_tasks=desired,
        min_tasks=min_tasks,
        max_tasks=max_tasks,
        on_demand_base=base,
        on_demand_weight=on_demand_weight,
        spot_weight=spot_weight,
        cpu_target_percent=cpu_target,
        log_retention_days=retention,
        container_insights=raw["containerInsights"],
        point_in_time_recovery=raw["pointInTimeRecovery"],
        deletion_protection=raw["deletionProtection"],
        image_keep_tagged=keep,
        throttle_rate_limit=rate,
        throttle_burst_limit=burst,
        cors_allow_origins=origins,
        alert_email=email,
        monthly_budget_usd=budget,
        budget_scope=budget_scope,
        alarm_latency_ms=latency,
        max_alarm_metrics=max_alarm_metrics,
        sleep_schedule=sleep,
        wake_schedule=wake,
        schedule_timezone=timezone,
        **github,
    )


def _github(raw: dict[str, Any]) -> dict[str, Any]:
    """The opt-in CI/CD roles' keys (components/github_oidc.py)."""
    from components.github_oidc import ENVIRONMENT_PATTERN, PROVIDER_ARN_PATTERN, REPOSITORY_PATTERN
    from components.github_oidc_policies import StateBucket

    repository = raw["githubRepository"] or None
    if repository is not None and not REPOSITORY_PATTERN.match(repository):
        raise _fail("githubRepository", repository, "owner/name of a GitHub repository, or empty")
    provider = raw["githubOidcProviderArn"] or None
    if provider is not None and not PROVIDER_ARN_PATTERN.match(provider):
        allowed = "arn:aws:iam::<account>:oidc-provider/token.actions.githubusercontent.com, or empty"
        raise _fail("githubOidcProviderArn", provider, allowed)
    backend = raw["githubStateBackendUrl"] or None
    if backend is not None:
        try:
            StateBucket.from_url(backend)
        except ValueError:
            raise _fail("githubStateBackendUrl", backend, "s3://bucket[/prefix], or empty") from None
    environments = raw["githubDeployEnvironments"]
    bad = [e for e in environments if not ENVIRONMENT_PATTERN.match(e)]
    if bad:
        raise _fail("githubDeployEnvironments", list(environments), 'a list of environment names, or ["*"]')
    return {
        "github_repository": repository,
        "github_oidc_provider_arn": provider,
        "github_state_backend_url": backend,
        "github_deploy_environments": environments,
    }


def _memory_choices(cpu: int) -> str:
    choices = FARGATE_MEMORY[cpu]
    if len(choices) <= 7:
        return ", ".join(str(m) for m in choices)
    step = choices[1] - choices[0]
    return f"{choices[0]} to {choices[-1]} in steps of {step}"


def settings_from_mapping(values: Mapping[str, Any]) -> Settings:
    """Settings from a plain mapping of short key names (and `aws:region`), e.g. a parsed stack file."""
    return load_settings(values.get)


def settings_from_pulumi_config() -> Settings:
    """Settings of the running stack (`safety-heatmap:*` keys and `aws:region`)."""
    project = pulumi.Config()
    provider = pulumi.Config("aws")

    def get(name: str) -> Any:
        return provider.get("region") if name == "aws:region" else project.get(name)

    return load_settings(get)
