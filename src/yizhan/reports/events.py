"""The facts the reports app announces to other apps (through `core.events`), and their payloads.

    "report.verified"  ReportVerified — a valid report closed for the first time (confirmed by
                       its reporter, or closed automatically 7 days after the fix), and its photo
                       was not seen before. Published at most once per report, however often it
                       is reopened and closed again. The points bank awards the reporter.

A payload says what happened, not what it is worth: the reward for a report lives only in the
points rules (`points.selectors.reward_for_report_category`).
"""

from typing import TypedDict

REPORT_VERIFIED = "report.verified"


class ReportVerified(TypedDict):
    report_id: int
    reporter_id: int | None  # None: sent through Open311 by a partner system, nobody to reward
    category: str  # the report category's code, e.g. "exposed-wire"
