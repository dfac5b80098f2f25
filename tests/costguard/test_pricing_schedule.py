import pytest

from costguard.pricing.schedule import ScheduledCapacity, ScheduleError, average_tasks, firing_minutes


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
