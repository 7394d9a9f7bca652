"""`yizhan points verify` (recompute every balance, check every invariant, exit 1 on any
violation), `yizhan points grant --mobile M --points N --reason R` (a manual, audited
award), `yizhan points issue --points N --reason R` (fund the city's pool),
`yizhan points sweep` (expire unclaimed redemptions now) and
`yizhan points monthly [--month YYYY-MM]` (hardship allowances and district honours)."""

import datetime as dt
import getpass
import time

from django.core.management.base import BaseCommand, CommandError

from yizhan.accounts import selectors as accounts
from yizhan.core.errors import YizhanError
from yizhan.points import permissions, services
from yizhan.points.tasks import last_month
from yizhan.points.verification import verify_ledger


class Command(BaseCommand):
    help = (
        "The points reward bank: verify the ledger, grant or issue points, sweep, monthly awards."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute balances from entries and check every invariant")
        grant = sub.add_parser("grant", help="a manual award to one worker, with a reason")
        grant.add_argument("--mobile", required=True, help="the worker's mobile number")
        grant.add_argument("--points", required=True, type=int)
        grant.add_argument("--reason", required=True)
        grant.add_argument("--by", default="", help="the administrator's mobile number")
        issue = sub.add_parser("issue", help="issue new points into the city's reward pool")
        issue.add_argument("--points", required=True, type=int)
        issue.add_argument("--reason", required=True)
        sub.add_parser("sweep", help="refund and restock redemptions not picked up in time")
        monthly = sub.add_parser("monthly", help="hardship allowances and honours for a month")
        monthly.add_argument("--month", default="", help="YYYY-MM (default: last month)")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"do_{action}")(**options)
        except YizhanError as exc:
            message = "; ".join(
                f"{field}: {text}" if field else text for field, text in exc.field_errors()
            )
            raise CommandError(message) from None

    def do_verify(self, **options):
        started = time.monotonic()
        report = verify_ledger()
        for name, value in report.totals.items():
            self.stdout.write(f"{name:>22}: {value}")
        self.stdout.write(f"{'seconds':>22}: {time.monotonic() - started:.1f}")
        if not report.ok:
            for violation in report.violations:
                self.stderr.write(f"VIOLATION {violation}")
            raise CommandError(f"{len(report.violations)} invariant(s) violated")
        self.stdout.write("ledger OK: every posting balances, every balance matches its entries")

    def _user(self, mobile: str):
        user = accounts.user_by_mobile(mobile)
        if user is None:
            raise CommandError(f"no account with mobile {mobile}")
        return user

    def do_grant(self, *, mobile, points, reason, by, **options):
        admin = None
        if by:
            admin = self._user(by)
            if not permissions.can_administer(admin):
                raise CommandError(f"{by} is not a city administrator")
        posting = services.grant(
            worker=self._user(mobile),
            points=points,
            reason=reason,
            by=admin,
            via=f"cli:{getpass.getuser()}",
        )
        self.stdout.write(f"posting {posting.pk}: {points} points to {mobile}")

    def do_issue(self, *, points, reason, **options):
        posting = services.pool_issue(points=points, reason=f"{reason} (cli:{getpass.getuser()})")
        self.stdout.write(f"posting {posting.pk}: {points} points issued into the city's pool")

    def do_sweep(self, **options):
        self.stdout.write(f"{services.redemptions_expire_due()} redemptions expired and refunded")

    def do_monthly(self, *, month, **options):
        if month:
            try:
                first = dt.date.fromisoformat(f"{month}-01")
            except ValueError:
                raise CommandError(f"{month!r} is not a month (use YYYY-MM)") from None
        else:
            first = last_month()  # in Asia/Shanghai, like the daily periodic job
        hardship = services.monthly_hardship_award(month=first)
        honours = services.monthly_honours_award(month=first)
        self.stdout.write(f"{first:%Y-%m}: {hardship} hardship allowances, {honours} honours")
