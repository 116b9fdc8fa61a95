"""When a document's review falls due, and what "today" is.

Health content has a shelf life: a document last reviewed on L, to be reviewed every N
months, is due on L + N months. It is overdue after that day and due soon in the
`DUE_SOON_DAYS` before it. "Today" is the clock's, unless `PIPELINE_TODAY=YYYY-MM-DD` fixes it,
so that builds and tests are reproducible.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from dataclasses import dataclass
from typing import Literal

from pipeline.errors import UserError

TODAY_VARIABLE = "PIPELINE_TODAY"
DUE_SOON_DAYS = 60
_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class ReviewDate:
    """An ISO date whose day may be unknown (`2026-01`)."""

    year: int
    month: int
    day: int | None = None

    @classmethod
    def parse(cls, text: str) -> ReviewDate | None:
        """`YYYY-MM-DD` or `YYYY-MM`; None for anything else, or a day the calendar lacks."""
        match = re.fullmatch(r"(\d{4})-(\d{2})(?:-(\d{2}))?", text.strip())
        if not match:
            return None
        year, month = int(match.group(1)), int(match.group(2))
        day = int(match.group(3)) if match.group(3) else None
        try:
            dt.date(year, month, day or 1)
        except ValueError:
            return None
        return cls(year, month, day)

    @property
    def iso(self) -> str:
        text = f"{self.year:04d}-{self.month:02d}"
        return text if self.day is None else f"{text}-{self.day:02d}"

    @property
    def human(self) -> str:
        month = calendar.month_name[self.month]
        return f"{month} {self.year}" if self.day is None else f"{month} {self.day}, {self.year}"

    def as_date(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or 1)


class TodayError(UserError):
    """PIPELINE_TODAY is set but is not a date; the message says how to write it."""


def today() -> dt.date:
    """The date of this build: PIPELINE_TODAY when set, else the clock's."""
    value = os.environ.get(TODAY_VARIABLE, "").strip()
    if not value:
        return dt.date.today()
    try:
        if not _ISO_DAY.fullmatch(value):
            raise ValueError
        return dt.date.fromisoformat(value)
    except ValueError:
        raise TodayError(
            f'{TODAY_VARIABLE}="{value}" is not a date; write it as YYYY-MM-DD, '
            f"e.g. {TODAY_VARIABLE}=2026-11-25, or unset it to use the clock"
        ) from None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the 31st becomes the month's last day if it is shorter."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def due_date(last_reviewed: ReviewDate, every_months: int) -> dt.date:
    """When the next review is due. A review dated by month only (`2026-01`) counts from the
    first of that month: the earliest day it can have been."""
    return add_months(last_reviewed.as_date(), every_months)


@dataclass(frozen=True)
class ReviewStatus:
    last_reviewed: ReviewDate
    every_months: int
    due: dt.date
    overdue: bool
    """The due date has passed."""
    due_soon: bool
    """Not yet overdue, but due within DUE_SOON_DAYS."""

    @property
    def label(self) -> str:
        """How the summary and the landing page mark it: "overdue", "due soon" or ""."""
        return "overdue" if self.overdue else "due soon" if self.due_soon else ""


def status(last_reviewed: ReviewDate, every_months: int, today: dt.date) -> ReviewStatus:
    due = due_date(last_reviewed, every_months)
    return ReviewStatus(
        last_reviewed=last_reviewed,
        every_months=every_months,
        due=due,
        overdue=due < today,
        due_soon=today <= due <= today + dt.timedelta(days=DUE_SOON_DAYS),
    )


@dataclass(frozen=True)
class Verdict:
    level: Literal["info", "warning", "error"]
    text: str


def policy(
    review: ReviewStatus, doc_id: str, overdue: Literal["warning", "error"]
) -> Verdict | None:
    """The one review-date policy, for builds and `invoke check` alike: an overdue review is
    a warning, or an error when `overdue` says so (`--strict`), which stops the document; a
    review due soon is said; otherwise nothing."""
    if review.overdue:
        text = overdue_message(doc_id, review)
        if overdue == "error":
            return Verdict("error", f"{text} (an error with --strict)")
        return Verdict("warning", text)
    if review.due_soon:
        return Verdict("info", due_soon_message(doc_id, review))
    return None


def overdue_message(doc_id: str, review: ReviewStatus) -> str:
    return (
        f"{doc_id}: review overdue since {review.due.isoformat()} (last reviewed "
        f"{review.last_reviewed.iso}, every {_months(review.every_months)}); "
        "review it and update last-reviewed"
    )


def due_soon_message(doc_id: str, review: ReviewStatus) -> str:
    return (
        f"{doc_id}: review due on {review.due.isoformat()} (last reviewed "
        f"{review.last_reviewed.iso}, every {_months(review.every_months)})"
    )


def _months(count: int) -> str:
    return "month" if count == 1 else f"{count} months"
