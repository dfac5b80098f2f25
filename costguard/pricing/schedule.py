"""Application Auto Scaling schedules: how a week of scheduled actions shapes the running tasks.

AWS cron expressions have six fields: minutes hours day-of-month month day-of-week year, with
day-of-week 1-7 = SUN-SAT (Application Auto Scaling `schedule` uses the EventBridge cron syntax:
https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html).
The schedule is evaluated in the action's `timezone` (an IANA name; UTC when unset).

We model one typical week (a fixed reference week in January, so no DST switch falls inside it):
the actions fire at their minutes, each sets min/max capacity, and between firings the service
runs `clamp(desired, min, max)` tasks. Actions that are not weekly (a specific day of month or
month, `L`, `W`, `#`, `rate()`, `at()`) are ignored and reported, and so are actions that can never
fire again: a cron year field that names only past years, or an `endTime` in the past (checked
against the clock: `now`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MINUTES_PER_WEEK = 7 * 24 * 60
# Monday 2026-01-05 00:00 UTC: a week with no daylight-saving switch in the usual zones; only the
# fraction of the week matters, not the calendar.
REFERENCE_WEEK = datetime(2026, 1, 5, tzinfo=UTC)
DAY_NAMES = {"SUN": 1, "MON": 2, "TUE": 3, "WED": 4, "THU": 5, "FRI": 6, "SAT": 7}
MONTH_NAMES = {m: i + 1 for i, m in enumerate("JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split())}


class ScheduleError(ValueError):
    """A schedule expression this model cannot evaluate weekly."""


# EventBridge cron years (the Application Auto Scaling user guide's cron table: 1970-2199).
YEARS = (1970, 2199)


@dataclass(frozen=True)
class ScheduledCapacity:
    schedule: str
    timezone: str | None
    min_capacity: float | None
    max_capacity: float | None
    # The action's startTime / endTime (aware datetimes), when its properties carry them.
    start_time: datetime | None = None
    end_time: datetime | None = None


def _field(text: str, low: int, high: int, names: dict[str, int] | None = None) -> frozenset[int]:
    values: set[int] = set()
    for part in text.split(","):
        step = 1
        if "/" in part:
            part, step_text = part.split("/", 1)
            if not (step_text.isascii() and step_text.isdigit()) or int(step_text) == 0:
                raise ScheduleError(f"unsupported cron step {step_text!r} in {text!r}")
            step = int(step_text)
        if part in ("*", "?"):
            start, end = low, high
        elif "-" in part:
            a, b = part.split("-", 1)
            start, end = _value(a, names), _value(b, names)
        else:
            start = _value(part, names)
            end = high if step != 1 else start
        if not (low <= start <= high and low <= end <= high):
            raise ScheduleError(f"value out of range in {text!r}")
        values.update(range(start, end + 1, step))
    return frozenset(values)


def _value(text: str, names: dict[str, int] | None) -> int:
    if names and text.upper() in names:
        return names[text.upper()]
    if not (text.isascii() and text.isdigit()):
        raise ScheduleError(f"unsupported cron value {text!r}")
    return int(text)


@lru_cache(maxsize=256)
def firing_minutes(schedule: str, timezone: str | None) -> tuple[int, ...]:
    """Minutes of the reference week (0 = Monday 00:00 UTC) at which a weekly cron expression fires."""
    match = re.fullmatch(r"\s*cron\((.*)\)\s*", schedule)
    if not match:
        raise ScheduleError(f"{schedule!r} is not a cron() expression")
    fields = match.group(1).split()
    if len(fields) != 6:
        raise ScheduleError(
            f"{schedule!r} needs 6 fields (minutes hours day-of-month month day-of-week year)"
        )
    minutes_f, hours_f, dom_f, month_f, dow_f, year_f = fields
    _years(year_f)  # a year field this model cannot read makes the action unusable, like any field
    if dom_f not in ("*", "?") or month_f not in ("*", "?"):
        raise ScheduleError(f"{schedule!r} depends on the day of month or month, not a weekly schedule")
    minutes = _field(minutes_f, 0, 59)
    hours = _field(hours_f, 0, 23)
    days = _field(dow_f, 1, 7, DAY_NAMES)
    if timezone is not None and not isinstance(timezone, str):
        raise ScheduleError(f"timezone {timezone!r} is not a zone name")
    try:
        zone = ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ScheduleError(f"unknown timezone {timezone!r}") from None
    fired = []
    # Walk the local week hour by hour (offsets change at most at hour boundaries).
    local_start = REFERENCE_WEEK.astimezone(zone).replace(minute=0, second=0)
    for hour_index in range(7 * 24 + 1):
        local = local_start + timedelta(hours=hour_index)
        aws_dow = local.isoweekday() % 7 + 1  # isoweekday: MON=1..SUN=7 -> AWS: SUN=1..SAT=7
        if local.hour not in hours or aws_dow not in days:
            continue
        for minute in minutes:
            utc = (local + timedelta(minutes=minute)).astimezone(UTC)
            offset = int((utc - REFERENCE_WEEK).total_seconds() // 60)
            if 0 <= offset < MINUTES_PER_WEEK:
                fired.append(offset)
    return tuple(sorted(set(fired)))


@lru_cache(maxsize=256)
def _years(text: str) -> frozenset[int] | None:
    """The years a cron year field names; None for every year (`*`, `?`)."""
    if text in ("*", "?"):
        return None
    return _field(text, *YEARS)


def _zone(timezone: str | None):
    try:
        return ZoneInfo(timezone) if timezone else UTC
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return UTC  # firing_minutes reports the unknown zone


def expired(action: ScheduledCapacity, now: datetime) -> str | None:
    """Why `action` can never fire again at `now` (its cron years are all past, its endTime has
    passed), or None when it still can."""
    if action.end_time is not None and action.end_time <= now:
        return f"{action.schedule} ended at {action.end_time.isoformat()} (its endTime)"
    match = re.fullmatch(r"\s*cron\((.*)\)\s*", action.schedule)
    fields = match.group(1).split() if match else []
    if len(fields) != 6:
        return None  # not a cron expression: firing_minutes says why it is ignored
    try:
        years = _years(fields[5])
    except ScheduleError:
        return None
    this_year = now.astimezone(_zone(action.timezone)).year
    if years is not None and max(years) < this_year:
        named = str(max(years)) if len(years) == 1 else f"years up to {max(years)}"
        return f"{action.schedule} fires only in {named}"
    return None


def usable_actions(
    actions: list[ScheduledCapacity], notes: list[str], now: datetime | None = None
) -> list[ScheduledCapacity]:
    """The actions that shape a week from now on: not expired, and weekly (the others are noted)."""
    now = now or datetime.now(UTC)
    usable = []
    for action in actions:
        reason = expired(action, now)
        if reason is not None:
            notes.append(f"scheduled action ignored: {reason}: it can never fire again")
            continue
        try:
            firing_minutes(action.schedule, action.timezone)
        except ScheduleError as err:
            notes.append(f"scheduled action ignored: {err}")
            continue
        usable.append(action)
    return usable


def average_tasks(
    desired: float,
    min_capacity: float | None,
    max_capacity: float | None,
    actions: list[ScheduledCapacity],
    notes: list[str],
) -> list[tuple[float, float]]:
    """The week as [(fraction of the week, running tasks)], from the target bounds and scheduled actions."""
    events: list[tuple[int, int, ScheduledCapacity]] = []
    for order, action in enumerate(actions):
        try:
            for minute in firing_minutes(action.schedule, action.timezone):
                events.append((minute, order, action))
        except ScheduleError as err:
            notes.append(f"scheduled action ignored: {err}")
    lo, hi = min_capacity, max_capacity

    def clamp(value: float, low: float | None, high: float | None) -> float:
        if low is not None:
            value = max(value, low)
        if high is not None:
            value = min(value, high)
        return value

    if not events:
        return [(1.0, clamp(desired, lo, hi))]
    events.sort(key=lambda e: (e[0], e[1]))
    # The state at the week's start is whatever the last action of the (previous) week left.
    for _, _, action in events:
        lo, hi = _apply(lo, hi, action)
    segments: list[tuple[float, float]] = []
    current = desired
    cursor = 0
    for minute, _, action in events:
        current = clamp(current, lo, hi)
        if minute > cursor:
            segments.append(((minute - cursor) / MINUTES_PER_WEEK, current))
        lo, hi = _apply(lo, hi, action)
        # After scaling to zero and back, the service returns to its desired count within the new bounds.
        current = clamp(desired, lo, hi)
        cursor = minute
    segments.append(((MINUTES_PER_WEEK - cursor) / MINUTES_PER_WEEK, clamp(current, lo, hi)))
    return segments


def _apply(
    lo: float | None, hi: float | None, action: ScheduledCapacity
) -> tuple[float | None, float | None]:
    if action.min_capacity is not None:
        lo = action.min_capacity
    if action.max_capacity is not None:
        hi = action.max_capacity
    if lo is not None and hi is not None and lo > hi:  # AWS raises max to min in that case
        hi = lo
    return lo, hi
