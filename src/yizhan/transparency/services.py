"""Platform transparency (阳光行动): the writers, one function per use case, read top to bottom:

    the city's rules     config_update, routing_rule_set
    disclosures          disclosure_file → disclosure_publish | disclosure_reject,
                         disclosure_confirm, stale_sweep
    a worker's check     order_record, statement_import, workday_record  (查一查)
    above the cap        dispute_file (one tap) → dispute_route (the dispatcher),
                         case_statement (the platform speaks, never decides)
    index, scorecard     index_compute, scorecard_answer
    personal data        export_for, erase_for

Keyword-only arguments, one transaction per use case, refusals from `core.errors`. Calls into
the cases, accounts and orgs apps all go through `links`.
"""

import datetime as dt
import hashlib
import math
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound
from yizhan.core.events import publish
from yizhan.core.idempotency import create_once
from yizhan.core.images import ImageRejected, process_photo
from yizhan.core.notifications import notify_many
from yizhan.core.pii import mask_mobile, mask_name
from yizhan.transparency import conf, links, selectors, statements
from yizhan.transparency import permissions as perms
from yizhan.transparency.models import (
    BP,
    CommissionCap,
    CommissionIndex,
    Config,
    Disclosure,
    DisclosureEvent,
    Dispute,
    Order,
    RoutingRule,
    ScorecardAnswer,
    ServiceType,
    Statement,
    WorkDay,
)
from yizhan.transparency.money import FEN_MAX, percent, rate_bp, yuan

TEXT_MAX = 4000
A = DisclosureEvent.Action


def _now(now):
    return now or timezone.now()


def _clean_text(value, *, field: str, max_length: int = TEXT_MAX, required=False) -> str:
    text = (value or "").strip()
    if "\x00" in text:
        raise Invalid(field=field, message=gettext_lazy("The text contains a NUL character."))
    if len(text) > max_length:
        raise Invalid(
            field=field,
            message=gettext_lazy("Keep this under %(n)s characters.") % {"n": f"{max_length:,}"},
        )
    if required and not text:
        raise Invalid(field=field, message=gettext_lazy("This cannot be empty."))
    return text


def _require_worker(worker):
    if not perms.is_worker(worker):
        raise NotAllowed(gettext_lazy("Only workers check their orders."))


# --- the city's rules ------------------------------------------------------------------------


@transaction.atomic
def config_update(*, actor, k_anonymity: int, stale_after_days: int) -> Config:
    """The city's k (distinct workers before an index figure is shown) and stale limit."""
    if not perms.can_configure(actor):
        raise NotAllowed
    errors = {}
    if not isinstance(k_anonymity, int) or not 2 <= k_anonymity <= 1000:
        errors["k_anonymity"] = [gettext_lazy("k must be between 2 and 1,000 workers.")]
    if not isinstance(stale_after_days, int) or not 1 <= stale_after_days <= 365:
        errors["stale_after_days"] = [gettext_lazy("Choose 1 to 365 days.")]
    if errors:
        raise Invalid(fields=errors)
    config, _created = Config.objects.update_or_create(
        pk=1, defaults={"k_anonymity": k_anonymity, "stale_after_days": stale_after_days}
    )
    return config


@transaction.atomic
def routing_rule_set(*, actor, platform_kind: str, department, service_type=None) -> RoutingRule:
    """Route commission cases of a platform kind (or of one service type) to a department."""
    if not perms.can_configure(actor):
        raise NotAllowed
    from yizhan.orgs.selectors import PlatformKind

    if platform_kind not in PlatformKind.values:
        raise Invalid(field="platform_kind", message=gettext_lazy("Unknown platform kind."))
    if service_type is not None and service_type.platform_kind != platform_kind:
        raise Invalid(
            field="service_type",
            message=gettext_lazy("This service type belongs to another platform kind."),
        )
    if department is None:
        raise Invalid(field="department", message=gettext_lazy("Choose a department."))
    rule, _created = RoutingRule.objects.update_or_create(
        platform_kind=platform_kind, service_type=service_type, defaults={"department": department}
    )
    return rule


def routing_defaults_ensure() -> int:
    """The default service types and rules (ride-hailing and freight → transport; delivery
    and courier → market regulation) where the departments exist and no rule does yet."""
    from yizhan.transparency.defaults import ensure_routes, ensure_service_types

    with transaction.atomic():
        ensure_service_types(ServiceType)
        return ensure_routes(RoutingRule, lambda code: links.department(code=code))


# --- disclosures -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapIn:
    service_type_id: int
    cap_bp: int
    city: str = ""


def _check_caps(platform, caps: list[CapIn]) -> list[tuple[ServiceType, str, int]]:
    if not caps:
        raise Invalid(field="caps", message=gettext_lazy("Disclose at least one commission cap."))
    known = {st.pk: st for st in ServiceType.objects.filter(active=True)}
    checked, seen, errors = [], set(), []
    for cap in caps:
        st = known.get(cap.service_type_id)
        city = (cap.city or conf.city()).strip()[:40]
        if st is None or st.platform_kind != platform.kind:
            errors.append(
                gettext_lazy("Unknown service type for a %(kind)s platform.")
                % {"kind": platform.get_kind_display()}
            )
            continue
        if not isinstance(cap.cap_bp, int) or not 0 <= cap.cap_bp <= BP:
            errors.append(
                gettext_lazy("The cap for %(service)s must be between 0%% and 100%%.")
                % {"service": st.name}
            )
            continue
        if (st.pk, city) in seen:
            errors.append(gettext_lazy("%(service)s is listed twice.") % {"service": st.name})
            continue
        seen.add((st.pk, city))
        checked.append((st, city, cap.cap_bp))
    if errors:
        raise Invalid(fields={"caps": errors})
    return checked


MINUTE_LIMITS = {
    "max_continuous_minutes": 1440,
    "forced_rest_minutes": 1440,
    "max_daily_minutes": 1440,
    "max_weekly_minutes": 7 * 1440,
}


def _check_minutes(values: dict) -> dict:
    errors = {}
    for name, top in MINUTE_LIMITS.items():
        value = values.get(name)
        if value is None:
            continue
        if not isinstance(value, int) or not 1 <= value <= top:
            errors[name] = [
                gettext_lazy("Enter 1 to %(top)s minutes, or leave it empty.") % {"top": top}
            ]
    if errors:
        raise Invalid(fields=errors)
    return {name: values.get(name) for name in MINUTE_LIMITS}


def _tell(users, message, params, url):
    notify_many(users=users, message=message, params=params, url=url, verb="transparency")


def disclosure_file(
    *,
    platform,
    actor,
    effective_from: dt.date,
    caps: list[CapIn],
    pricing_rules: str = "",
    pay_standards: str = "",
    injury_insurance: str = "",
    appeal_channel: str = "",
    max_continuous_minutes: int | None = None,
    forced_rest_minutes: int | None = None,
    max_daily_minutes: int | None = None,
    max_weekly_minutes: int | None = None,
    idempotency_key: str = "",
    now=None,
) -> tuple[Disclosure, bool]:
    """The platform's representative files a new version for the city to review. A version
    still waiting for review is replaced (kept in the history as such). Returns
    (disclosure, created); a retry with the same key returns the first filing."""
    now = _now(now)
    if not perms.represents(actor, platform):
        raise NotAllowed(gettext_lazy("Only the platform's representative files its disclosure."))
    texts = {
        name: _clean_text(value, field=name)
        for name, value in (
            ("pricing_rules", pricing_rules),
            ("pay_standards", pay_standards),
            ("injury_insurance", injury_insurance),
            ("appeal_channel", appeal_channel),
        )
    }
    minutes = _check_minutes(
        {
            "max_continuous_minutes": max_continuous_minutes,
            "forced_rest_minutes": forced_rest_minutes,
            "max_daily_minutes": max_daily_minutes,
            "max_weekly_minutes": max_weekly_minutes,
        }
    )
    checked = _check_caps(platform, caps)
    today = selectors.local_today(now)
    if not isinstance(effective_from, dt.date) or effective_from < today:
        raise Invalid(
            field="effective_from",
            message=gettext_lazy("A new version takes effect today or later, never in the past."),
        )
    latest = (
        Disclosure.objects.filter(platform=platform, state=Disclosure.State.PUBLISHED)
        .order_by("-version")
        .first()
    )
    if latest and effective_from < latest.effective_from:
        raise Invalid(
            field="effective_from",
            message=gettext_lazy(
                "Version %(v)s takes effect on %(date)s: choose that day or later."
            )
            % {"v": latest.version, "date": latest.effective_from},
        )

    def create():
        pending = list(
            Disclosure.objects.select_for_update().filter(
                platform=platform, state=Disclosure.State.SUBMITTED
            )
        )
        for old in pending:
            Disclosure.objects.filter(pk=old.pk).update(state=Disclosure.State.WITHDRAWN)
            DisclosureEvent.objects.create(disclosure=old, at=now, actor=actor, action=A.WITHDRAW)
        top = Disclosure.objects.filter(platform=platform).aggregate(v=Max("version"))["v"] or 0
        disclosure = Disclosure.objects.create(
            platform=platform,
            version=top + 1,
            effective_from=effective_from,
            filed_by=actor,
            filed_at=now,
            idempotency_key=idempotency_key,
            **texts,
            **minutes,
        )
        CommissionCap.objects.bulk_create(
            CommissionCap(disclosure=disclosure, service_type=st, city=city, cap_bp=bp)
            for st, city, bp in checked
        )
        DisclosureEvent.objects.create(disclosure=disclosure, at=now, actor=actor, action=A.FILE)
        _tell(
            links.city_admins(),
            gettext_lazy("%(platform)s filed version %(version)s of its disclosure for review."),
            {"platform": platform.name, "version": disclosure.version},
            reverse("transparency:review_detail", args=[disclosure.pk]),
        )
        return disclosure

    try:
        with transaction.atomic():
            if not idempotency_key:
                return create(), True
            return create_once(
                model=Disclosure,
                lookup={"filed_by": actor, "idempotency_key": idempotency_key},
                create=create,
            )
    except IntegrityError as exc:  # two filings raced for the same version number
        raise Conflict(gettext_lazy("Another version was filed a moment ago. Reload.")) from exc


def _decide(disclosure, actor, now):
    if not perms.can_review(actor):
        raise NotAllowed
    locked = Disclosure.objects.select_for_update().select_related("platform").get(pk=disclosure.pk)
    if locked.state != Disclosure.State.SUBMITTED:
        raise Conflict(
            gettext_lazy("This version is “%(state)s”: only a version awaiting review is decided.")
            % {"state": locked.get_state_display()}
        )
    return locked


@transaction.atomic
def disclosure_publish(*, disclosure, actor, note: str = "", now=None) -> Disclosure:
    """The city publishes a version: it is in force from its effective date, the workers of
    the platform are told what changed (in the background), the platform's clock of
    confirmations restarts."""
    now = _now(now)
    locked = _decide(disclosure, actor, now)
    note = _clean_text(note, field="note", max_length=1000)
    latest = (
        Disclosure.objects.filter(platform=locked.platform, state=Disclosure.State.PUBLISHED)
        .order_by("-version")
        .first()
    )
    if latest and locked.effective_from < latest.effective_from:
        raise Conflict(
            gettext_lazy("Version %(v)s, already published, takes effect later: return this one.")
            % {"v": latest.version}
        )
    Disclosure.objects.filter(pk=locked.pk, state=Disclosure.State.SUBMITTED).update(
        state=Disclosure.State.PUBLISHED,
        decided_by=actor,
        decided_at=now,
        decision_note=note,
        published_at=now,
        confirmed_at=now,
    )
    locked.refresh_from_db()
    DisclosureEvent.objects.create(
        disclosure=locked, at=now, actor=actor, action=A.PUBLISH, note=note
    )
    publish(
        "transparency.disclosure_published",
        disclosure_id=locked.pk,
        platform_id=locked.platform_id,
        version=locked.version,
    )
    _tell(
        links.platform_reps(locked.platform_id),
        gettext_lazy("Version %(version)s of your disclosure was published."),
        {"version": locked.version},
        reverse("transparency:console"),
    )
    return locked


@transaction.atomic
def disclosure_reject(*, disclosure, actor, reason: str, now=None) -> Disclosure:
    """The city returns a version for correction, saying why; the platform files again."""
    now = _now(now)
    locked = _decide(disclosure, actor, now)
    reason = _clean_text(reason, field="reason", max_length=1000)
    if not reason:
        raise Invalid(field="reason", message=gettext_lazy("Say what must be corrected."))
    Disclosure.objects.filter(pk=locked.pk).update(
        state=Disclosure.State.REJECTED, decided_by=actor, decided_at=now, decision_note=reason
    )
    locked.refresh_from_db()
    DisclosureEvent.objects.create(
        disclosure=locked, at=now, actor=actor, action=A.REJECT, note=reason
    )
    _tell(
        links.platform_reps(locked.platform_id),
        gettext_lazy("Version %(version)s of your disclosure was returned: %(reason)s"),
        {"version": locked.version, "reason": reason[:200]},
        reverse("transparency:console"),
    )
    return locked


@transaction.atomic
def disclosure_confirm(*, platform, actor, now=None) -> Disclosure:
    """The platform confirms that the version in force is still accurate (restarts the
    90-day clock). History keeps every confirmation."""
    now = _now(now)
    if not perms.represents(actor, platform):
        raise NotAllowed
    current = selectors.current_disclosure(platform, day=selectors.local_today(now))
    if current is None:
        raise Conflict(gettext_lazy("There is no published disclosure to confirm yet."))
    Disclosure.objects.filter(pk=current.pk).update(confirmed_at=now, stale_notified_at=None)
    DisclosureEvent.objects.create(disclosure=current, at=now, actor=actor, action=A.CONFIRM)
    current.refresh_from_db()
    return current


def stale_sweep(*, now=None) -> int:
    """Flag every disclosure in force that was not confirmed within the limit: a history
    row and one notice to the platform's representatives and the city administrators, once
    per lapse (a conditional update claims it)."""
    now = _now(now)
    flagged = 0
    for disclosure in selectors.stale_disclosures(now=now):
        with transaction.atomic():
            claimed = Disclosure.objects.filter(
                pk=disclosure.pk, stale_notified_at__isnull=True
            ).update(stale_notified_at=now)
            if not claimed:
                continue
            DisclosureEvent.objects.create(disclosure=disclosure, at=now, action=A.STALE)
            params = {
                "platform": disclosure.platform.name,
                "days": selectors.config().stale_after_days,
            }
            message = gettext_lazy(
                "The disclosure of %(platform)s has not been confirmed for %(days)s days: it is flagged stale."
            )
            _tell(
                links.platform_reps(disclosure.platform_id),
                message,
                params,
                reverse("transparency:console"),
            )
            _tell(links.city_admins(), message, params, reverse("transparency:review"))
            flagged += 1
    return flagged


def notify_workers_of_disclosure(*, disclosure_id: int) -> int:
    """Tell the platform's workers (by profile, and everyone who checked orders on it) what
    the newly published version changes. Rows in batches: a platform may have 100,000s."""
    disclosure = (
        Disclosure.objects.select_related("platform")
        .prefetch_related(selectors._caps_prefetch())
        .get(pk=disclosure_id)
    )
    previous = (
        Disclosure.objects.filter(
            platform_id=disclosure.platform_id,
            state=Disclosure.State.PUBLISHED,
            version__lt=disclosure.version,
        )
        .prefetch_related(selectors._caps_prefetch())
        .order_by("-version")
        .first()
    )
    changes = "; ".join(
        f"{name} {percent(old)}→{percent(new)}"
        for name, old, new in selectors.cap_changes(previous, disclosure)
    )
    others = [f for f in selectors.changed_fields(previous, disclosure) if f != "effective_from"]
    params = {
        "platform": disclosure.platform.name,
        "version": disclosure.version,
        "date": disclosure.effective_from.isoformat(),
        "changes": changes,
    }
    if changes and others:
        message = gettext_lazy(
            "%(platform)s published new rules from %(date)s (version %(version)s): commission caps %(changes)s; other rules changed too."
        )
    elif changes:
        message = gettext_lazy(
            "%(platform)s published new rules from %(date)s (version %(version)s): commission caps %(changes)s."
        )
    else:
        message = gettext_lazy(
            "%(platform)s published new rules from %(date)s (version %(version)s): working time, pay or appeal rules changed."
        )
    url = reverse("transparency:platform", args=[disclosure.platform.code])
    ids = set(links.worker_ids_of_platform(disclosure.platform_id))
    ids.update(
        Order.objects.filter(platform_id=disclosure.platform_id)
        .values_list("worker_id", flat=True)
        .distinct()
    )
    User = get_user_model()
    ordered = sorted(ids)
    sent = 0
    for start in range(0, len(ordered), conf.NOTIFY_BATCH):
        users = [User(pk=pk) for pk in ordered[start : start + conf.NOTIFY_BATCH]]
        sent += notify_many(
            users=users, message=message, params=params, url=url, verb="transparency"
        )
    return sent


# --- a worker's check (查一查) -----------------------------------------------------------------


def _service_type_for(platform, service_type) -> ServiceType:
    if (
        service_type is None
        or not service_type.active
        or service_type.platform_kind != platform.kind
    ):
        raise Invalid(
            field="service_type",
            message=gettext_lazy("Unknown service type for %(platform)s.")
            % {"platform": platform.name},
        )
    return service_type


def _check_amounts(fare_fen, payout_fen) -> dict:
    errors = {}
    if not isinstance(fare_fen, int) or isinstance(fare_fen, bool):
        errors["fare"] = [gettext_lazy("Enter the fare in yuan.")]
    elif fare_fen < 0:
        errors["fare"] = [gettext_lazy("The fare cannot be negative.")]
    elif fare_fen == 0:
        errors["fare"] = [gettext_lazy("The fare must be above zero.")]
    elif fare_fen > FEN_MAX:
        errors["fare"] = [gettext_lazy("The fare is too large.")]
    if not isinstance(payout_fen, int) or isinstance(payout_fen, bool):
        errors["payout"] = [gettext_lazy("Enter your payout in yuan.")]
    elif payout_fen < 0:
        errors["payout"] = [gettext_lazy("The payout cannot be negative.")]
    elif "fare" not in errors and payout_fen > fare_fen:
        errors["payout"] = [gettext_lazy("The payout cannot be above the fare.")]
    return errors


def _screenshot(upload):
    if not upload:
        return None
    try:
        photo = process_photo(upload)
    except ImageRejected as exc:
        raise Invalid(field="screenshot", message=str(exc)) from exc
    return ContentFile(photo.content, name="screenshot.jpg")


def order_record(
    *,
    worker,
    platform,
    service_type,
    completed_on: dt.date,
    fare_fen: int,
    payout_fen: int,
    order_no: str = "",
    completed_at: dt.datetime | None = None,
    driving_minutes: int | None = None,
    screenshot=None,
    now=None,
) -> Order:
    """One order entered by hand. Returns it with `cap_bp` and `is_above` for the answer."""
    now = _now(now)
    _require_worker(worker)
    if platform is None:
        raise Invalid(field="platform", message=gettext_lazy("Choose the platform."))
    _service_type_for(platform, service_type)
    errors = _check_amounts(fare_fen, payout_fen)
    if not isinstance(completed_on, dt.date) or completed_on > selectors.local_today(now):
        errors["completed_on"] = [gettext_lazy("The date cannot be in the future.")]
    elif completed_at is not None and completed_at > now:
        errors["completed_on"] = [gettext_lazy("The time cannot be in the future.")]
    elif completed_on.year < 2000:
        errors["completed_on"] = [gettext_lazy("The date is too far in the past.")]
    order_no = (order_no or "").strip()
    if len(order_no) > 64 or "\x00" in order_no:
        errors["order_no"] = [gettext_lazy("The order number is at most 64 characters.")]
    if driving_minutes is not None and not (
        isinstance(driving_minutes, int) and 0 <= driving_minutes <= 1440
    ):
        errors["driving_minutes"] = [gettext_lazy("The driving time must be 0 to 1440 minutes.")]
    if errors:
        raise Invalid(fields=errors)
    shot = _screenshot(screenshot)
    if (
        order_no
        and Order.objects.filter(worker=worker, platform=platform, order_no=order_no).exists()
    ):
        raise Invalid(
            field="order_no", message=gettext_lazy("You have already checked this order.")
        )
    try:
        with transaction.atomic():
            order = Order(
                worker=worker,
                platform=platform,
                service_type=service_type,
                order_no=order_no,
                completed_on=completed_on,
                completed_at=completed_at,
                fare_fen=fare_fen,
                payout_fen=payout_fen,
                rate_bp=rate_bp(fare_fen=fare_fen, payout_fen=payout_fen),
                driving_minutes=driving_minutes,
                source=Order.Source.MANUAL,
                created_at=now,
            )
            if shot:
                order.screenshot.save(shot.name, shot, save=False)
            order.save()
    except IntegrityError as exc:  # the same order number, sent twice at once
        raise Invalid(
            field="order_no", message=gettext_lazy("You have already checked this order.")
        ) from exc
    table = selectors.cap_table([platform.pk])
    order.cap_bp = table.cap_on(platform.pk, service_type.pk, completed_on)
    order.is_above = (
        order.cap_bp is not None and order.commission_fen * BP > order.cap_bp * fare_fen
    )
    return order


@dataclass
class ImportResult:
    statement: Statement | None
    rows: int
    imported: int
    duplicates: int


def _owner_label(text: str) -> str:
    if "*" in text:
        return text
    digits = "".join(c for c in text if c.isdigit())
    return mask_mobile(digits) if len(digits) >= 7 else mask_name(text)


def statement_import(
    *, worker, platform, filename: str, data: bytes, screenshot=None, now=None
) -> ImportResult:
    """Import a platform's earnings statement: every row checked, the whole file refused if
    any row is wrong (the errors name the rows), orders already checked ignored. The file is
    kept in private storage as evidence for a case."""
    now = _now(now)
    _require_worker(worker)
    if platform is None:
        raise Invalid(field="platform", message=gettext_lazy("Choose the platform."))
    filename = (filename or "statement.csv").replace("\x00", "")[-120:]
    try:
        parsed = statements.parse(
            data,
            filename=filename,
            kind=platform.kind,
            service_types=selectors.service_type_lookup(platform.kind),
            now=now,
        )
    except statements.StatementError as exc:
        raise Invalid(field="file", message=str(exc)) from exc
    if parsed.errors:
        shown = parsed.errors[:50]
        if len(parsed.errors) > 50:
            shown.append(_("… and %(n)s more rows with problems.") % {"n": len(parsed.errors) - 50})
        raise Invalid(
            gettext_lazy(
                "%(n)s rows have problems; nothing was imported. Correct them and upload again."
            )
            % {"n": len(parsed.errors)},
            fields={"file": shown},
        )
    other = statements.names_another_person(
        parsed, name=worker.name or "", mobile=worker.mobile or ""
    )
    if other:
        raise Invalid(
            field="file",
            message=gettext_lazy(
                "This statement is in the name of %(owner)s, not yours: nothing was imported."
            )
            % {"owner": _owner_label(other)},
        )
    shot = _screenshot(screenshot)
    rows = parsed.rows
    existing: set[str] = set()
    if rows:
        first, last = min(r.completed_on for r in rows), max(r.completed_on for r in rows)
        existing = set(
            Order.objects.filter(
                worker=worker, platform=platform, completed_on__gte=first, completed_on__lte=last
            )
            .exclude(order_no="")
            .values_list("order_no", flat=True)
        )
        # An order number checked before under another date is still the same order.
        numbers = [r.order_no for r in rows if r.order_no not in existing]
        for start in range(0, len(numbers), 1000):
            existing.update(
                Order.objects.filter(
                    worker=worker, platform=platform, order_no__in=numbers[start : start + 1000]
                ).values_list("order_no", flat=True)
            )
    new = [r for r in rows if r.order_no not in existing]
    duplicates = parsed.duplicates_in_file + len(rows) - len(new)
    total = len(rows) + parsed.duplicates_in_file
    if not new:
        return ImportResult(statement=None, rows=total, imported=0, duplicates=duplicates)
    with transaction.atomic():
        statement = Statement(
            worker=worker,
            platform=platform,
            name=filename,
            sha256=hashlib.sha256(data).hexdigest(),
            rows=total,
            imported=len(new),
            duplicates=duplicates,
            uploaded_at=now,
        )
        statement.file.save(filename, ContentFile(data), save=False)
        if shot:
            statement.screenshot.save(shot.name, shot, save=False)
        statement.save()
        Order.objects.bulk_create(
            (
                Order(
                    worker=worker,
                    platform=platform,
                    service_type_id=r.service_type_id,
                    order_no=r.order_no,
                    completed_on=r.completed_on,
                    completed_at=r.completed_at,
                    fare_fen=r.fare_fen,
                    payout_fen=r.payout_fen,
                    rate_bp=r.rate_bp,
                    driving_minutes=r.driving_minutes,
                    source=Order.Source.STATEMENT,
                    statement=statement,
                    created_at=now,
                )
                for r in new
            ),
            batch_size=2000,
            ignore_conflicts=True,
        )
        _driving_days(worker, platform, new, now)
    return ImportResult(statement=statement, rows=total, imported=len(new), duplicates=duplicates)


def _driving_days(worker, platform, rows, now):
    """A statement's driving minutes, summed per day, fill the days not entered by hand."""
    per_day: dict[dt.date, int] = {}
    for r in rows:
        if r.driving_minutes:
            per_day[r.completed_on] = per_day.get(r.completed_on, 0) + r.driving_minutes
    if not per_day:
        return
    days = {
        d.day: d
        for d in WorkDay.objects.select_for_update().filter(
            worker=worker, platform=platform, day__in=list(per_day)
        )
    }
    for day, minutes in per_day.items():
        found = days.get(day)
        if found is None:
            WorkDay.objects.create(
                worker=worker,
                platform=platform,
                day=day,
                driving_minutes=min(minutes, 1440),
                source=WorkDay.Source.STATEMENT,
                updated_at=now,
            )
        elif found.source == WorkDay.Source.STATEMENT:
            found.driving_minutes = min((found.driving_minutes or 0) + minutes, 1440)
            found.updated_at = now
            found.save(update_fields=["driving_minutes", "updated_at"])


@transaction.atomic
def workday_record(
    *,
    worker,
    platform,
    day: dt.date,
    online_minutes: int | None,
    driving_minutes: int | None = None,
    now=None,
) -> WorkDay:
    """A day's online and driving time entered by hand: what is entered replaces what a
    statement gave; statements no longer change that day."""
    now = _now(now)
    _require_worker(worker)
    errors = {}
    if platform is None:
        errors["platform"] = [gettext_lazy("Choose the platform.")]
    if not isinstance(day, dt.date) or day > selectors.local_today(now):
        errors["day"] = [gettext_lazy("The date cannot be in the future.")]
    for name, value in (("online_minutes", online_minutes), ("driving_minutes", driving_minutes)):
        if value is not None and not (isinstance(value, int) and 0 <= value <= 1440):
            errors[name] = [gettext_lazy("A day has 0 to 24 hours.")]
    if online_minutes is None and driving_minutes is None:
        errors["online_minutes"] = [gettext_lazy("Enter the online or the driving time.")]
    if errors:
        raise Invalid(fields=errors)
    workday = (
        WorkDay.objects.select_for_update()
        .filter(worker=worker, platform=platform, day=day)
        .first()
    )
    if workday is None:
        workday = WorkDay(worker=worker, platform=platform, day=day)
    # What is entered replaces what was there; what is left empty keeps it.
    if online_minutes is not None:
        workday.online_minutes = online_minutes
    if driving_minutes is not None:
        workday.driving_minutes = driving_minutes
    workday.source = WorkDay.Source.MANUAL
    workday.updated_at = now
    workday.save()
    return workday


# --- above the cap: the commission case ------------------------------------------------------


def _describe(row, orders, department, worker) -> str:
    """The prefilled case text, in the worker's language: the figures and the evidence."""
    above = [o for o in orders if o.is_above]
    with translation.override(getattr(worker, "language", None) or "zh-hans"):
        lines = [
            _("Commission check (查一查): %(platform)s · %(service)s, %(start)s to %(end)s.")
            % {
                "platform": row.platform.name,
                "service": row.service_type.name,
                "start": row.week_start,
                "end": row.week_end,
            },
            _(
                "%(n)s orders: fares %(fare)s, my payout %(payout)s, kept by the platform "
                "%(commission)s. Effective commission %(rate)s, above the published cap of %(cap)s."
            )
            % {
                "n": row.orders,
                "fare": yuan(row.fare_fen),
                "payout": yuan(row.payout_fen),
                "commission": yuan(row.commission_fen),
                "rate": percent(row.rate_bp),
                "cap": percent(row.cap_bp),
            },
        ]
        if above:
            examples = ", ".join(
                f"{o.order_no or o.completed_on} ({percent(o.rate_bp)})" for o in above[:5]
            )
            lines.append(
                _("%(n)s orders are above the cap, for example: %(examples)s.")
                % {"n": len(above), "examples": examples}
            )
        if department is not None:
            lines.append(
                _("By the city's rule, commission cases about %(kind)s go to %(department)s.")
                % {"kind": row.platform.get_kind_display(), "department": department.name}
            )
        lines.append(_("I ask for the commission to be checked and the excess refunded."))
        return "\n".join(lines)


def _evidence(orders) -> list[ContentFile]:
    """The statement files (and screenshots) behind the week's orders, as case attachments."""
    files, seen = [], set()
    for order in orders:
        statement = order.statement
        if statement is not None and statement.pk not in seen:
            seen.add(statement.pk)
            with statement.file.open("rb") as f:
                files.append(ContentFile(f.read(), name=statement.name[:120]))
            if statement.screenshot:
                with statement.screenshot.open("rb") as f:
                    files.append(ContentFile(f.read(), name=f"screenshot-{statement.pk}.jpg"))
        if order.screenshot and len(files) < 5:
            with order.screenshot.open("rb") as f:
                files.append(
                    ContentFile(f.read(), name=f"screenshot-{order.order_no or order.pk}.jpg")
                )
        if len(files) >= 5:
            break
    return files


def dispute_file(
    *,
    worker,
    platform,
    service_type,
    week_start: dt.date,
    withhold_identity: bool = True,
    now=None,
) -> tuple[Dispute, bool]:
    """One tap: a commission case, prefilled with the week's figures and evidence, naming the
    platform, with the routing the city's rule gives. One per worker, service and week: a
    second tap (or a retry) returns the first. Returns (dispute, created)."""
    now = _now(now)
    _require_worker(worker)
    if platform is None or service_type is None:
        raise NotFound
    lookup = {
        "worker": worker,
        "platform": platform,
        "service_type": service_type,
        "week_start": week_start,
    }
    existing = Dispute.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    row = selectors.worker_week(
        worker=worker, platform=platform, service_type=service_type, start=week_start, now=now
    )
    if row is None:
        raise NotFound(gettext_lazy("You have no orders of this service in that week."))
    if row.cap_bp is None:
        raise Conflict(gettext_lazy("The platform has published no cap for this service."))
    if not row.may_dispute:
        raise Conflict(
            gettext_lazy("This week's commission is within the published cap: nothing to dispute.")
        )
    orders = selectors.week_orders(
        worker=worker, platform=platform, service_type=service_type, start=week_start
    )
    department = selectors.route_for(platform_kind=platform.kind, service_type=service_type)
    description = _describe(row, orders, department, worker)
    attachments = _evidence(orders)

    def create():
        case = links.file_commission_case(
            worker=worker,
            platform=platform,
            description=description,
            withhold_identity=withhold_identity,
            attachments=attachments,
            idempotency_key=f"transparency-{platform.pk}-{service_type.pk}-{week_start:%Y%m%d}",
        )
        dispute = Dispute.objects.create(
            **lookup,
            case_id=case.pk,
            department=department,
            orders=row.orders,
            fare_fen=row.fare_fen,
            commission_fen=row.commission_fen,
            rate_bp=row.rate_bp,
            cap_bp=row.cap_bp,
            created_at=now,
        )
        # The platform's representatives hear of the new case from the cases app, which
        # tells them of every case naming their platform (once, without the worker's identity).
        return dispute

    with transaction.atomic():
        return create_once(model=Dispute, lookup=lookup, create=create)


def dispute_route(*, dispute, actor, now=None):
    """The dispatcher routes a commission case as the city's rule says: accepted if it waits
    for that, then dispatched to the rule's department (派单)."""
    if not perms.can_route(actor):
        raise NotAllowed
    if dispute.department_id is None:
        raise Conflict(
            gettext_lazy("No routing rule covers this service: dispatch it from the case page.")
        )
    with transaction.atomic():
        case = links.case_for_viewer(user=actor, case_id=dispute.case_id)
        if case.state not in ("submitted", "accepted", "returned"):
            raise Conflict(gettext_lazy("This case has already been dispatched."))
        note = _("Routed by the city's rule: %(kind)s · %(service)s → %(department)s") % {
            "kind": dispute.platform.get_kind_display(),
            "service": dispute.service_type.name,
            "department": dispute.department.name,
        }
        return links.route_case(case=case, actor=actor, department=dispute.department, note=note)


def case_statement(*, case_id: int, actor, text: str):
    """The platform's written statement on a case naming it (a row of the case history)."""
    if not perms.rep_platform_ids(actor):
        raise NotAllowed
    case = links.case_for_viewer(user=actor, case_id=case_id)
    return links.platform_statement(case=case, actor=actor, text=text)


# --- the monthly index --------------------------------------------------------------------------


def _rank(p_tenths: int, n: int) -> int:
    """The nearest-rank position PostgreSQL's percentile_disc uses (ceil(p·n), at least 1)."""
    return max(1, math.ceil(p_tenths / 10 * n))


def _groups_postgres(first, until):
    with connection.cursor() as cur:
        cur.execute(
            f"""
            SELECT platform_id, service_type_id, count(*), count(DISTINCT worker_id),
                   percentile_disc(0.5) WITHIN GROUP (ORDER BY rate_bp),
                   percentile_disc(0.9) WITHIN GROUP (ORDER BY rate_bp)
            FROM {Order._meta.db_table}
            WHERE completed_on >= %s AND completed_on < %s
            GROUP BY platform_id, service_type_id
            """,
            [first, until],
        )
        return cur.fetchall()


def _groups_portable(first, until):
    base = Order.objects.filter(completed_on__gte=first, completed_on__lt=until)
    groups = base.values("platform_id", "service_type_id").annotate(
        orders=Count("id"), workers=Count("worker", distinct=True)
    )
    found = []
    for g in groups:
        rates = list(
            base.filter(platform_id=g["platform_id"], service_type_id=g["service_type_id"])
            .order_by("rate_bp")
            .values_list("rate_bp", flat=True)
        )
        n = len(rates)
        found.append(
            (
                g["platform_id"],
                g["service_type_id"],
                g["orders"],
                g["workers"],
                rates[_rank(5, n) - 1],
                rates[_rank(9, n) - 1],
            )
        )
    return found


def index_compute(*, month: dt.date, now=None) -> list[CommissionIndex]:
    """The month's commission index per platform and service: median and 90th percentile of
    the orders' effective commission, with the cap in force at the month's end. A group with
    fewer than k distinct workers is stored without figures (and the CHECK constraint refuses
    any row that would show them)."""
    now = _now(now)
    first = selectors.month_start(month)
    until = selectors.next_month(first)
    k = selectors.config().k_anonymity
    groups = (
        _groups_postgres(first, until)
        if connection.vendor == "postgresql"
        else _groups_portable(first, until)
    )
    today = selectors.local_today(now)
    cap_day = min(until - dt.timedelta(days=1), today)
    table = selectors.cap_table({g[0] for g in groups})
    rows = []
    for platform_id, st_id, orders, workers, median_bp, p90_bp in groups:
        published = workers >= k
        rows.append(
            CommissionIndex(
                platform_id=platform_id,
                service_type_id=st_id,
                month=first,
                orders=orders,
                workers=workers,
                k=k,
                published=published,
                median_bp=median_bp if published else None,
                p90_bp=p90_bp if published else None,
                cap_bp=table.cap_on(platform_id, st_id, cap_day),
                computed_at=now,
            )
        )
    with transaction.atomic():
        CommissionIndex.objects.filter(month=first).delete()
        CommissionIndex.objects.bulk_create(rows)
    return rows


def index_refresh(*, now=None) -> int:
    """This month and last month (late statements still arrive): the periodic job."""
    now = _now(now)
    this = selectors.month_start(selectors.local_today(now))
    last = selectors.month_start(this - dt.timedelta(days=1))
    return len(index_compute(month=last, now=now)) + len(index_compute(month=this, now=now))


# --- the scorecard ---------------------------------------------------------------------------


@transaction.atomic
def scorecard_answer(*, platform, actor, principle: str, text: str, now=None) -> ScorecardAnswer:
    """The platform's written answer on one principle of its scorecard, shown beside it."""
    now = _now(now)
    if not perms.represents(actor, platform):
        raise NotAllowed(gettext_lazy("Only the platform's representative answers its scorecard."))
    if principle not in ScorecardAnswer.Principle.values:
        raise Invalid(field="principle", message=gettext_lazy("Choose a principle."))
    text = _clean_text(text, field="text", max_length=2000, required=True)
    return ScorecardAnswer.objects.create(
        platform=platform, principle=principle, text=text, author=actor, created_at=now
    )


# --- personal data -----------------------------------------------------------------------------


def export_for(user) -> dict:
    """What this app holds about a person, unmasked (it is their own)."""
    return {
        "orders": [
            {
                "platform": o.platform.name,
                "service_type": o.service_type.name,
                "order_no": o.order_no,
                "date": o.completed_on.isoformat(),
                "fare_fen": o.fare_fen,
                "payout_fen": o.payout_fen,
                "effective_commission_bp": o.rate_bp,
                "source": o.source,
            }
            for o in Order.objects.filter(worker=user).select_related("platform", "service_type")
        ],
        "statements": [
            {
                "name": s.name,
                "platform": s.platform.name,
                "uploaded_at": s.uploaded_at.isoformat(),
                "imported": s.imported,
                "duplicates": s.duplicates,
            }
            for s in Statement.objects.filter(worker=user).select_related("platform")
        ],
        "working_days": [
            {
                "platform": d.platform.name,
                "day": d.day.isoformat(),
                "online_minutes": d.online_minutes,
                "driving_minutes": d.driving_minutes,
            }
            for d in WorkDay.objects.filter(worker=user).select_related("platform")
        ],
        "commission_cases": [
            {"case": d.case_id, "week": d.week_start.isoformat(), "rate_bp": d.rate_bp}
            for d in Dispute.objects.filter(worker=user)
        ],
    }


def erase_for(user) -> int:
    """Delete the person's orders, statements (and their files), working days and the links
    to their cases (the cases themselves are anonymised by the cases app). Files go after
    commit, so a rolled-back erasure leaves them in place. Idempotent."""
    names = []
    for model in (Statement, Order):
        for row in model.objects.filter(worker=user).exclude(screenshot="").only("screenshot"):
            names.append(row.screenshot.name)
    names += list(Statement.objects.filter(worker=user).values_list("file", flat=True))
    touched = 0
    for model in (Order, Statement, WorkDay, Dispute):
        touched += model.objects.filter(worker=user).delete()[0]
    storage = Statement._meta.get_field("file").storage

    def remove():
        for name in names:
            if name:
                storage.delete(name)

    transaction.on_commit(remove)
    return touched
