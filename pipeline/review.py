"""Health content has a shelf life: when a document's review falls due.

"Today" is the machine's date unless PIPELINE_TODAY (YYYY-MM-DD) fixes it, so builds and tests
are reproducible."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

from pipeline.model import ReviewDate

DUE_SOON_DAYS = 60


class TodayError(ValueError):
    """PIPELINE_TODAY is set but is not a date."""


def today() -> dt.date:
    fixed = os.environ.get("PIPELINE_TODAY", "").strip()
    if not fixed:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(fixed)
    except ValueError:
        raise TodayError(
            f'PIPELINE_TODAY="{fixed}" is not a date; write YYYY-MM-DD or unset it'
        ) from None


@dataclass(frozen=True)
class ReviewStatus:
    due: dt.date
    overdue: bool
    due_soon: bool

    @property
    def label(self) -> str:
        return "overdue" if self.overdue else "due soon" if self.due_soon else ""


def status(last_reviewed: ReviewDate, every_months: int, on: dt.date) -> ReviewStatus:
    due = last_reviewed.due_after(every_months)
    return ReviewStatus(due, due <= on, on < due <= on + dt.timedelta(days=DUE_SOON_DAYS))
