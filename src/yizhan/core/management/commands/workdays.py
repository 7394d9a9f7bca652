"""`yizhan workdays add DATE N` (the date N working days after DATE) and
`yizhan workdays between START END` (working days in between), for operators."""

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from yizhan.core import workdays


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date (use YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Working-day arithmetic on mainland China's calendar (holidays and make-up days)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="the date N working days after DATE")
        add.add_argument("date")
        add.add_argument("n", type=int)
        between = sub.add_parser("between", help="working days after START up to END")
        between.add_argument("start")
        between.add_argument("end")

    def handle(self, *args, action, **options):
        if action == "add":
            start = _date(options["date"])
            if options["n"] < 0:
                raise CommandError("N must be 0 or more")
            result = workdays.add_working_days(start, options["n"])
            self.stdout.write(result.isoformat())
            years = {start.year, result.year}
        else:
            start, end = _date(options["start"]), _date(options["end"])
            self.stdout.write(str(workdays.working_days_between(start, end)))
            years = {start.year, end.year}
        for year in sorted(years):
            if not workdays.calendar_known(year):
                self.stderr.write(
                    f"warning: no announced holiday schedule for {year}; weekdays were used"
                )
