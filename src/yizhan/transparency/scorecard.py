"""A Fairwork-style scorecard per platform, from Yizhan's own data (a reader).

Five principles (pay, conditions, contracts, management, representation), two points each,
as Fairwork scores them; every point says what it is, whether it is met, and the evidence
from our data: the disclosure in force and its history, the monthly commission index, and
the cases naming the platform (through cases.selectors). A point without enough data is
"not enough data", never a guess. The platform's written answer is shown beside each one.

The thresholds are here, in one table, and in docs/TRANSPARENCY.md.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yizhan.transparency import conf, links, selectors
from yizhan.transparency.models import CommissionIndex, Disclosure, ScorecardAnswer
from yizhan.transparency.money import percent

WINDOW_DAYS = 365  # cases and versions of the last year count
MIN_CASES = 5  # fewer cases than this: "not enough data"
RESOLVED_SHARE = (8, 10)  # at least 80 % of cases closed …
MEDIAN_REPLY_HOURS = 10 * 24  # … and the median reply within 10 days
ANSWERED_SHARE = (1, 2)  # the platform made a statement on at least half its cases
SATISFIED_SHARE = (8, 10)  # at least 80 % of ratings satisfied or basically satisfied

P = ScorecardAnswer.Principle


@dataclass
class Point:
    label: object
    met: bool | None  # None: not enough data to say
    evidence: str


@dataclass
class PrincipleScore:
    key: str
    label: object
    points: list[Point]
    answer: ScorecardAnswer | None = None

    @property
    def score(self) -> int:
        return sum(1 for p in self.points if p.met)


@dataclass
class Scorecard:
    platform: object
    principles: list[PrincipleScore] = field(default_factory=list)
    as_of: dt.datetime | None = None

    @property
    def score(self) -> int:
        return sum(p.score for p in self.principles)

    @property
    def out_of(self) -> int:
        return sum(len(p.points) for p in self.principles)


def _share(part: int, whole: int, need: tuple[int, int]) -> bool:
    return part * need[1] >= whole * need[0]


def _pct(part: int, whole: int) -> str:
    return f"{part * 100 // whole}%" if whole else "—"


def _pay(current, index_rows, k) -> list[Point]:
    caps = list(current.caps.all()) if current else []
    if caps:
        caps_text = _("Caps in force: %(caps)s (version %(v)s, from %(date)s).") % {
            "caps": ", ".join(f"{c.service_type.name} {percent(c.cap_bp)}" for c in caps),
            "v": current.version,
            "date": current.effective_from,
        }
    else:
        caps_text = _("No commission cap is published.")
    published = [r for r in index_rows if r.published and r.cap_bp is not None]
    if not published:
        within = Point(
            gettext_lazy("Nine in ten checked orders within the cap"),
            None,
            _(
                "Not enough data: no service had orders from %(k)s or more workers in the last month computed."
            )
            % {"k": k},
        )
    else:
        over = [r for r in published if r.p90_bp > r.cap_bp]
        detail = "; ".join(
            _("%(service)s %(month)s: 90th percentile %(p90)s, cap %(cap)s")
            % {
                "service": r.service_type.name,
                "month": r.month.strftime("%Y-%m"),
                "p90": percent(r.p90_bp),
                "cap": percent(r.cap_bp),
            }
            for r in published
        )
        within = Point(
            gettext_lazy("Nine in ten checked orders within the cap"), not over, detail + "."
        )
    return [Point(gettext_lazy("Commission caps published"), bool(caps), caps_text), within]


def _conditions(current) -> list[Point]:
    if current and current.max_continuous_minutes and current.forced_rest_minutes:
        rest = _(
            "At most %(on)s minutes online without a break, then %(rest)s minutes of rest."
        ) % {
            "on": current.max_continuous_minutes,
            "rest": current.forced_rest_minutes,
        }
        rest_met = True
    else:
        rest, rest_met = _("No maximum continuous time with a forced rest is disclosed."), False
    insurance = (current.injury_insurance if current else "").strip()
    return [
        Point(gettext_lazy("Working-time and fatigue limits disclosed"), rest_met, rest),
        Point(
            gettext_lazy("Occupational-injury insurance disclosed"),
            bool(insurance),
            insurance[:160] if insurance else _("Nothing disclosed."),
        ),
    ]


def _contracts(platform, current, now) -> list[Point]:
    days = selectors.config().stale_after_days
    if current is None:
        fresh = Point(
            gettext_lazy("Disclosure kept up to date"), False, _("No disclosure in force.")
        )
    else:
        confirmed = selectors.last_confirmed(current)
        age = (now - confirmed).days
        fresh = Point(
            gettext_lazy("Disclosure kept up to date"),
            age <= days,
            _("Last confirmed %(date)s, %(n)s days ago (the limit is %(days)s).")
            % {"date": timezone.localtime(confirmed).date(), "n": age, "days": days},
        )
    since = now - dt.timedelta(days=WINDOW_DAYS)
    versions = list(
        Disclosure.objects.filter(
            platform=platform, state=Disclosure.State.PUBLISHED, published_at__gte=since
        )
    )
    if not versions:
        notice = Point(
            gettext_lazy("Changes announced in advance"),
            None,
            _("No version was published in the last year."),
        )
    else:
        ahead = [
            v
            for v in versions
            if (v.effective_from - timezone.localtime(v.published_at).date()).days
            >= conf.ADVANCE_NOTICE_DAYS
        ]
        notice = Point(
            gettext_lazy("Changes announced in advance"),
            len(ahead) == len(versions),
            _(
                "%(a)s of %(n)s versions of the last year were published %(d)s or more days before taking effect."
            )
            % {"a": len(ahead), "n": len(versions), "d": conf.ADVANCE_NOTICE_DAYS},
        )
    return [fresh, notice]


def _management(current, facts) -> list[Point]:
    appeal = (current.appeal_channel if current else "").strip()
    cases = facts["cases"]
    if cases < MIN_CASES:
        resolved = Point(
            gettext_lazy("Workers' cases resolved in time"),
            None,
            _("Not enough data: %(n)s cases in the last year.") % {"n": cases},
        )
    else:
        hours = facts["median_reply_hours"]
        met = _share(facts["closed"], cases, RESOLVED_SHARE) and (
            hours is not None and hours <= MEDIAN_REPLY_HOURS
        )
        resolved = Point(
            gettext_lazy("Workers' cases resolved in time"),
            met,
            _(
                "%(n)s cases in the last year, %(closed)s closed (%(share)s); median reply %(days)s days."
            )
            % {
                "n": cases,
                "closed": facts["closed"],
                "share": _pct(facts["closed"], cases),
                "days": f"{hours / 24:.1f}" if hours is not None else "—",
            },
        )
    return [
        Point(
            gettext_lazy("Deactivation appeal channel published"),
            bool(appeal),
            appeal[:160] if appeal else _("Nothing disclosed."),
        ),
        resolved,
    ]


def _representation(facts) -> list[Point]:
    cases, rated = facts["cases"], facts["rated"]
    if cases < MIN_CASES:
        answered = Point(
            gettext_lazy("Answers workers' cases in writing"),
            None,
            _("Not enough data: %(n)s cases in the last year.") % {"n": cases},
        )
    else:
        answered = Point(
            gettext_lazy("Answers workers' cases in writing"),
            _share(facts["answered"], cases, ANSWERED_SHARE),
            _("A statement on %(a)s of %(n)s cases (%(share)s).")
            % {"a": facts["answered"], "n": cases, "share": _pct(facts["answered"], cases)},
        )
    if rated < MIN_CASES:
        satisfied = Point(
            gettext_lazy("Workers satisfied with the outcome"),
            None,
            _("Not enough data: %(n)s rated cases in the last year.") % {"n": rated},
        )
    else:
        satisfied = Point(
            gettext_lazy("Workers satisfied with the outcome"),
            _share(facts["satisfied"], rated, SATISFIED_SHARE),
            _("%(s)s of %(n)s ratings satisfied or basically satisfied (%(share)s).")
            % {"s": facts["satisfied"], "n": rated, "share": _pct(facts["satisfied"], rated)},
        )
    return [answered, satisfied]


def scorecard(platform, *, now=None) -> Scorecard:
    now = now or timezone.now()
    current = selectors.current_disclosure(platform, day=selectors.local_today(now))
    latest = (
        CommissionIndex.objects.filter(platform=platform).order_by("-month").values("month").first()
    )
    index_rows = (
        list(
            CommissionIndex.objects.filter(platform=platform, month=latest["month"]).select_related(
                "service_type"
            )
        )
        if latest
        else []
    )
    facts = links.platform_case_facts(
        platform_id=platform.pk, since=now - dt.timedelta(days=WINDOW_DAYS)
    )
    answers = selectors.latest_answers(platform)
    k = selectors.config().k_anonymity
    card = Scorecard(platform=platform, as_of=now)
    for key, label, points in (
        (P.PAY, P.PAY.label, _pay(current, index_rows, k)),
        (P.CONDITIONS, P.CONDITIONS.label, _conditions(current)),
        (P.CONTRACTS, P.CONTRACTS.label, _contracts(platform, current, now)),
        (P.MANAGEMENT, P.MANAGEMENT.label, _management(current, facts)),
        (P.REPRESENTATION, P.REPRESENTATION.label, _representation(facts)),
    ):
        card.principles.append(PrincipleScore(str(key), label, points, answers.get(str(key))))
    return card
