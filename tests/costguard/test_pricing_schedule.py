from datetime import UTC, datetime

import pytest

from costguard.pricing.schedule import (
    ScheduledCapacity,
    ScheduleError,
    average_tasks,
    firing_minutes,
    usable_actions,
)


def test_weekday_cron_fires_five_times_in_utc():
    # 20:00 in Paris in January is 19:00 UTC; Monday = minute 0 of the reference week.
    assert firing_minutes("cron(0 20 ? * MON-FRI *)", "Europe/Paris") == tuple(
        d * 1440 + 19 * 60 for d in range(5)
    )
    assert firing_minutes("cron(30 6 ? * 2 *)", None) == (6 * 60 + 30,)  # day 2 = Monday


def test_unsupported_expressions_raise():
    for text in ("rate(5 minutes)", "cron(0 8 1 * ? *)", "cron(0 8 ? * 6L *)", "cron(0 8 * *)"):
        with pytest.raises(ScheduleError):
            firing_minutes(text, None)


def test_stop_and_start_in_different_timezones():
    actions = [
        ScheduledCapacity("cron(0 20 ? * * *)", "America/New_York", 0, 0),  # 01:00 UTC
        ScheduledCapacity("cron(0 9 ? * * *)", "UTC", 1, 1),
    ]
    segments = average_tasks(1, 1, 1, actions, [])
    awake = sum(f for f, n in segments if n == 1)
    assert awake == pytest.approx(16 / 24)  # up from 09:00 to 01:00 UTC


def test_without_actions_tasks_are_clamped():
    assert average_tasks(5, 1, 3, [], []) == [(1.0, 3)]


def test_ignored_actions_are_reported():
    notes = []
    assert average_tasks(
        1, None, None, [ScheduledCapacity("at(2026-01-01T00:00:00)", None, 0, 0)], notes
    ) == [(1.0, 1)]
    assert notes and "ignored" in notes[0]


NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "action, reason",
    [
        (ScheduledCapacity("cron(0 20 ? * * 2020)", None, 0, 0), "fires only in 2020"),
        (ScheduledCapacity("cron(0 20 ? * * 2019-2025)", None, 0, 0), "fires only in years up to 2025"),
        (
            ScheduledCapacity("cron(0 20 ? * * 2020,2024)", "Europe/Paris", 0, 0),
            "fires only in years up to 2024",
        ),
        (
            ScheduledCapacity("cron(0 20 ? * * *)", None, 0, 0, end_time=datetime(2026, 2, 1, tzinfo=UTC)),
            "ended at 2026-02-01T00:00:00+00:00 (its endTime)",
        ),
    ],
)
def test_actions_that_can_never_fire_again_are_ignored_and_noted(action, reason):
    notes = []
    assert usable_actions([action], notes, NOW) == []
    assert notes == [f"scheduled action ignored: {action.schedule} {reason}: it can never fire again"]
    # Without it, the service runs its desired count all week: nothing is lowered.
    assert average_tasks(2, 1, 3, usable_actions([action], [], NOW), []) == [(1.0, 2)]


@pytest.mark.parametrize(
    "action",
    [
        ScheduledCapacity("cron(0 20 ? * * 2026)", None, 0, 0),  # this year
        ScheduledCapacity("cron(0 20 ? * * 2020-2030)", None, 0, 0),
        ScheduledCapacity("cron(0 20 ? * * 2199)", None, 0, 0),  # only later: still a schedule
        ScheduledCapacity("cron(0 20 ? * * */2)", None, 0, 0),
        ScheduledCapacity("cron(0 20 ? * * *)", None, 0, 0, start_time=datetime(2020, 1, 1, tzinfo=UTC)),
        ScheduledCapacity("cron(0 20 ? * * *)", None, 0, 0, end_time=datetime(2027, 1, 1, tzinfo=UTC)),
    ],
)
def test_actions_that_still_fire_are_kept(action):
    notes = []
    assert usable_actions([action], notes, NOW) == [action] and notes == []


def test_the_year_is_the_actions_own_zones():
    # 2026-01-01 00:30 UTC is still 2025 in New York: a 2025-only action can still fire there.
    new_year = datetime(2026, 1, 1, 0, 30, tzinfo=UTC)
    action = ScheduledCapacity("cron(0 20 ? * * 2025)", "America/New_York", 0, 0)
    assert usable_actions([action], [], new_year) == [action]
    assert usable_actions([ScheduledCapacity("cron(0 20 ? * * 2025)", None, 0, 0)], [], new_year) == []


def test_a_year_outside_eventbridges_range_is_unsupported():
    notes = []
    assert usable_actions([ScheduledCapacity("cron(0 20 ? * * 1969)", None, 0, 0)], notes, NOW) == []
    assert notes and "value out of range" in notes[0]
