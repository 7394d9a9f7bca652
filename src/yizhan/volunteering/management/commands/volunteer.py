"""`yizhan volunteer plan --demo-day --json` (or `--date YYYY-MM-DD`): solve a day's
requests with OR-Tools and with the greedy baseline, store nothing, and print both plans —
each request's window and pick-up/drop-off points, each trip's volunteer, start point and
planned times — so anyone can check feasibility and recompute the empty driving."""

import datetime as dt
import json

from django.core.management.base import BaseCommand, CommandError

from yizhan.volunteering import selectors


class Command(BaseCommand):
    help = "Volunteer services: plan a day (OR-Tools against the greedy baseline)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="solve one day's requests and print the plan")
        which = plan.add_mutually_exclusive_group(required=True)
        which.add_argument("--demo-day", action="store_true", help="the demo city's planned day")
        which.add_argument("--date", default="", help="YYYY-MM-DD (Asia/Shanghai)")
        plan.add_argument("--json", action="store_true", help="print the whole plan as JSON")
        plan.add_argument("--time-limit", type=float, default=5.0, help="solver seconds (<= 10)")

    def handle(self, *args, action, **options):
        getattr(self, f"do_{action}")(**options)

    def do_plan(self, *, demo_day, date, json: bool, time_limit, **options):
        if demo_day:
            day = selectors.demo_day()
            if day is None:
                raise CommandError(
                    "no requests to plan: load the demo city first (yizhan demo-load)"
                )
        else:
            try:
                day = dt.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"not a date: {date!r} (YYYY-MM-DD)") from None
        if not 0 < time_limit <= 10:
            raise CommandError("--time-limit must be between 0 and 10 seconds")
        doc = selectors.plan_document_for_day(day, time_limit_s=time_limit)
        if json:
            self.stdout.write(_dumps(doc))
            return
        self.stdout.write(
            f"day {doc['day']}: {len(doc['requests'])} requests, {len(doc['volunteers'])} volunteers"
        )
        for name in ("or_tools", "greedy"):
            p = doc[name]
            self.stdout.write(
                f"{name:>9}: served {p['served']}, empty {p['empty_km']} km, "
                f"late {p['late_arrivals']}, {p['solve_seconds']} s"
            )


def _dumps(doc) -> str:
    return json.dumps(doc, ensure_ascii=False, indent=1)
