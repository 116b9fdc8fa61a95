"""Review dates with a fixed "today": when a review falls due, when it is overdue or due
soon, what the build says about it, and the dates the loader refuses."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from pipeline import review
from pipeline.problems import SourceError
from pipeline.review import ReviewDate
from pipeline.source import load
from tests.test_source import GOOD, line_of, write

pytestmark = pytest.mark.fast  # unit tests that render nothing (invoke test --fast)

TODAY = dt.date(2026, 11, 25)


@pytest.mark.parametrize(
    ("value", "expected"),
    [("2026-11-25", dt.date(2026, 11, 25)), (" 2024-02-29 ", dt.date(2024, 2, 29))],
)
def test_today_can_be_fixed(monkeypatch: pytest.MonkeyPatch, value: str, expected: dt.date) -> None:
    monkeypatch.setenv("PIPELINE_TODAY", value)
    assert review.today() == expected


def test_today_is_the_clock_when_not_fixed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PIPELINE_TODAY", raising=False)
    assert review.today() == dt.date.today()


@pytest.mark.parametrize("value", ["25/11/2026", "2026-11-31", "20261125", "tomorrow"])
def test_a_malformed_today_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv("PIPELINE_TODAY", value)
    with pytest.raises(review.TodayError) as caught:
        review.today()
    assert str(caught.value) == (
        f'PIPELINE_TODAY="{value}" is not a date; write it as YYYY-MM-DD, '
        "e.g. PIPELINE_TODAY=2026-11-25, or unset it to use the clock"
    )


# last reviewed, every N months -> due, overdue, due soon (today is 2026-11-25)
STATUSES = [
    (ReviewDate(2026, 1), 12, dt.date(2027, 1, 1), False, True),  # from 1 January
    (ReviewDate(2026, 6), 12, dt.date(2027, 6, 1), False, False),
    (ReviewDate(2025, 11, 3), 12, dt.date(2026, 11, 3), True, False),
    (ReviewDate(2025, 11, 24), 12, dt.date(2026, 11, 24), True, False),  # due yesterday
    (ReviewDate(2025, 11, 25), 12, dt.date(2026, 11, 25), False, True),  # due today
    (ReviewDate(2026, 1, 24), 12, dt.date(2027, 1, 24), False, True),  # in exactly 60 days
    (ReviewDate(2026, 1, 25), 12, dt.date(2027, 1, 25), False, False),  # in 61 days
    (ReviewDate(2020, 1), 12, dt.date(2021, 1, 1), True, False),
    (ReviewDate(2026, 8, 31), 6, dt.date(2027, 2, 28), False, False),  # no 31 February
    (ReviewDate(2023, 8, 31), 6, dt.date(2024, 2, 29), True, False),  # a leap year
    (ReviewDate(2026, 10, 31), 1, dt.date(2026, 11, 30), False, True),
]


@pytest.mark.parametrize(("reviewed", "every", "due", "overdue", "soon"), STATUSES)
def test_review_status(
    reviewed: ReviewDate, every: int, due: dt.date, overdue: bool, soon: bool
) -> None:
    status = review.status(reviewed, every, TODAY)
    assert (status.due, status.overdue, status.due_soon) == (due, overdue, soon)


def test_one_policy_says_each_date_for_builds_and_checks_alike() -> None:
    overdue = review.status(ReviewDate(2025, 11, 3), 12, TODAY)
    text = (
        "knee: review overdue since 2026-11-03 (last reviewed 2025-11-03, every 12 months); "
        "review it and update last-reviewed"
    )
    assert review.policy(overdue, "knee", "warning") == review.Verdict("warning", text)
    assert review.policy(overdue, "knee", "error") == review.Verdict(
        "error", f"{text} (an error with --strict)"
    )
    soon = review.status(ReviewDate(2026, 10, 31), 1, TODAY)
    assert review.policy(soon, "knee", "error") == review.Verdict(
        "info", "knee: review due on 2026-11-30 (last reviewed 2026-10-31, every month)"
    )
    assert review.policy(review.status(ReviewDate(2026, 6), 12, TODAY), "knee", "error") is None


def test_the_model_asks_the_same_question(tmp_path: Path) -> None:
    text = GOOD.replace("last-reviewed: 2026-01", "last-reviewed: 2026-08-31").replace(
        "lang: en-US", "lang: en-US\nreview-every-months: 6"
    )
    doc = load(write(tmp_path, text), tmp_path, today=TODAY)
    assert doc.next_review == dt.date(2027, 2, 28)
    assert doc.next_review == review.status(doc.last_reviewed, 6, TODAY).due


# last-reviewed value -> the message the loader gives on its line (None: it loads)
DATES = {
    "2025-11-31": 'last-reviewed "2025-11-31" is not a date in the calendar: November 2025 '
    "has 30 days; check the day",
    "2025-02-29": 'last-reviewed "2025-02-29" is not a date in the calendar: February 2025 '
    "has 28 days; check the day",
    "2026-00": 'last-reviewed "2026-00" is not a date in the calendar: there is no month 0; '
    "months are 01 to 12",
    "0000-01-01": 'last-reviewed "0000-01-01" is not a date in the calendar: there is no year 0000',
    "2026-11-26": 'last-reviewed "2026-11-26" is in the future (today is 2026-11-25); write the '
    "date of the last review that actually happened",
    "2026-12": 'last-reviewed "2026-12" is in the future (today is 2026-11-25); write the date '
    "of the last review that actually happened",
    "2026-11-25 10:00": 'last-reviewed "2026-11-25 10:00" is not an ISO date; write YYYY-MM-DD, '
    "or YYYY-MM when the day is unknown (e.g. 2026-01)",
    "2024-02-29": None,
    "2026-11-25": None,
    "2026-11": None,
    '"2026-01-15"': None,
}


@pytest.mark.parametrize("value", DATES)
def test_review_dates_the_loader_refuses_or_takes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("PIPELINE_TODAY", "2026-11-25")  # load()'s own today
    text = GOOD.replace("last-reviewed: 2026-01", f"last-reviewed: {value}")
    expected = DATES[value]
    if expected is None:
        assert load(write(tmp_path, text), tmp_path).last_reviewed.iso == value.strip('"')
        return
    with pytest.raises(SourceError) as caught:
        load(write(tmp_path, text), tmp_path)
    line = line_of(text, "last-reviewed")
    assert [str(p) for p in caught.value.problems] == [f"source/sample.md:{line}: {expected}"]


@pytest.mark.parametrize("months", ["0", "121", "1000000000000", "12.5", "true"])
def test_a_review_period_out_of_range_is_refused(tmp_path: Path, months: str) -> None:
    text = GOOD.replace("lang: en-US", f"lang: en-US\nreview-every-months: {months}")
    with pytest.raises(SourceError) as caught:
        load(write(tmp_path, text), tmp_path, today=TODAY)
    line = line_of(text, "review-every-months")
    assert [str(p) for p in caught.value.problems] == [
        f'source/sample.md:{line}: review-every-months "{months.replace("true", "True")}" must be '
        "a whole number of months from 1 to 120, e.g. 12"
    ]


def test_the_writers_guide_gives_the_due_dates_the_build_shows() -> None:
    """docs/authoring.md's examples of when a review falls due are what the summary says."""
    guide = " ".join((Path(__file__).parent.parent / "docs" / "authoring.md").read_text().split())
    examples = re.findall(r"`(\d{4}-\d{2}(?:-\d{2})?)` is due on (\d{4}-\d{2}-\d{2})", guide)
    examples += re.findall(r"and `(\d{4}-\d{2}(?:-\d{2})?)` on (\d{4}-\d{2}-\d{2})", guide)
    assert len(examples) == 2, "a day and a month-only example"
    for reviewed, due in examples:
        date = ReviewDate.parse(reviewed)
        assert date is not None
        assert review.status(date, 12, dt.date(2026, 11, 25)).due.isoformat() == due
