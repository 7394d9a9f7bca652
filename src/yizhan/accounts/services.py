"""The life of an account, top to bottom: register, log in (password, SMS code, API token),
hold roles, see and export one's own data, ask for it to be deleted.

Every write is one function with keyword-only arguments and its own transaction.
"""

import datetime as dt
import hashlib
import hmac
import math
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from yizhan.accounts import selectors
from yizhan.accounts.models import (
    ROLE_SCOPE,
    SCOPE_FIELDS,
    ApiToken,
    DeletionRequest,
    LoginFailure,
    OneTimeCode,
    Role,
    RoleAssignment,
    User,
    WorkerProfile,
)
from yizhan.core import audit, locking, notifications, personal_data
from yizhan.core.errors import Invalid, NotAllowed, NotFound, Throttled
from yizhan.core.models import AuditLog
from yizhan.core.pii import blind_index, mask_mobile, mask_name
from yizhan.core.validators import normalise_mobile, validate_id_number, validate_mobile


def _valid_mobile(mobile: str) -> str:
    """The normalised number, or Invalid on the `mobile` field."""
    try:
        return validate_mobile(mobile)
    except ValidationError as exc:
        raise Invalid(fields={"mobile": exc.messages}) from None


# --- Registration -----------------------------------------------------------------------


@transaction.atomic
def worker_register(
    *,
    name: str,
    mobile: str,
    password: str | None,
    kind: str,
    home_district,
    id_number: str,
    consent: bool,
    platform=None,
    employer=None,
    language: str = "zh-hans",
    password_hash: str | None = None,
) -> User:
    """Create a worker's account and profile, or raise Invalid keyed by field. The pages
    call it once the number is proven (`registration_code_check`), with the password's hash
    kept from the first step."""
    errors: dict[str, list] = {}
    if not consent:
        errors["consent"] = [_("You must agree to the privacy notice to register.")]
    try:
        mobile = validate_mobile(mobile)
    except ValidationError as exc:
        errors["mobile"] = exc.messages
    try:
        id_number = validate_id_number(id_number)
    except ValidationError as exc:
        errors["id_number"] = exc.messages
    if "mobile" not in errors and User.objects.filter(mobile_index=blind_index(mobile)).exists():
        errors["mobile"] = [_("An account with this mobile number already exists.")]
    if (
        "id_number" not in errors
        and WorkerProfile.objects.filter(id_number_index=blind_index(id_number)).exists()
    ):
        errors["id_number"] = [_("A worker with this ID number is already registered.")]
    if errors:
        raise Invalid(fields=errors)
    try:
        user = User.objects.create_user(mobile, password, name=name.strip(), language=language)
        if password_hash:
            User.objects.filter(pk=user.pk).update(password=password_hash)
            user.password = password_hash
        WorkerProfile.objects.create(
            user=user,
            kind=kind,
            platform=platform,
            employer=employer,
            home_district=home_district,
            id_number=id_number,
            id_number_index=blind_index(id_number),
            consent_version=settings.PRIVACY_NOTICE_VERSION,
            consent_at=timezone.now(),
        )
    except IntegrityError:  # a concurrent registration won the race for the same mobile or ID
        raise Invalid(
            fields={"mobile": [_("An account with this mobile number already exists.")]}
        ) from None
    return user


# --- Throttling: logins, SMS codes, registrations ------------------------------------------
#
# Failed logins count per (account, client) pair first: five wrong passwords lock that client
# out of that account for the window, and nobody else. The account as a whole is slowed down,
# not locked (django-axes' "username and address" combination plus a back-off): past five
# failures from any clients, each further try waits 1, 2, 4 … up to 60 seconds after the last
# failure, so a botnet gets about a guess a minute while the owner waits seconds. One client
# address is locked out of every account after 4x the limit. A try is counted before the
# password is checked, under a lock, so concurrent guesses never slip past the limit; a
# successful login takes its count back. SMS codes and registrations have limits per number
# and per address of their own.


@dataclass(frozen=True)
class Attempt:
    """The provisional failure rows of one login try (removed when it succeeds)."""

    ids: tuple[int, ...] = ()


def _login_keys(mobile: str, ip: str | None) -> dict[str, str]:
    account = blind_index(normalise_mobile(mobile))
    pair = hashlib.sha256(f"{account}|{ip or '-'}".encode()).hexdigest()
    keys = {"pair": f"p:{pair}", "account": f"m:{account}"}
    if ip:
        keys["ip"] = f"ip:{ip}"
    return keys


def _recent(key: str, *, now, window: dt.timedelta, cap: int) -> list[dt.datetime]:
    """The newest `cap` records of `key` inside the window, newest first."""
    rows = LoginFailure.objects.filter(key=key, at__gt=now - window).order_by("-at")
    return list(rows.values_list("at", flat=True)[:cap])


def _wait_message(seconds: int):
    if seconds >= 120:
        return _("Too many failed attempts. Please wait %(minutes)d minutes and try again.") % {
            "minutes": math.ceil(seconds / 60)
        }
    return _("Too many attempts. Please wait %(seconds)d seconds and try again.") % {
        "seconds": seconds
    }


def _refuse_until(moment, now) -> Throttled:
    seconds = max(1, math.ceil((moment - now).total_seconds()))
    return Throttled(_wait_message(seconds), retry_after=seconds)


def _login_gate(*, mobile: str, ip: str | None, record: bool) -> Attempt:
    """Refuse (Throttled) a try the limits do not allow; with `record`, count it as a failure
    until it is known to have succeeded. Must run inside a transaction (it locks)."""
    keys = _login_keys(mobile, ip)
    locking.lock(*keys.values())
    now = timezone.now()
    window = dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    limit = settings.LOGIN_MAX_FAILURES
    for name, cap in (("pair", limit), ("ip", limit * 4)):
        if name in keys:
            counted = _recent(keys[name], now=now, window=window, cap=cap)
            if len(counted) >= cap:
                raise _refuse_until(counted[-1] + window, now)
    failures = LoginFailure.objects.filter(key=keys["account"], at__gt=now - window)
    count = failures.count()
    if count >= limit:  # slow the account down for everyone, never lock it
        delay = min(settings.LOGIN_SLOWDOWN_MAX_SECONDS, 2 ** (count - limit))
        latest = failures.order_by("-at").values_list("at", flat=True).first()
        if latest + dt.timedelta(seconds=delay) > now:
            raise _refuse_until(latest + dt.timedelta(seconds=delay), now)
    if not record:
        return Attempt()
    rows = LoginFailure.objects.bulk_create([LoginFailure(key=k, at=now) for k in keys.values()])
    return Attempt(ids=tuple(r.pk for r in rows))


def login_attempt_begin(*, mobile: str, ip: str | None) -> Attempt:
    """Count a login try as failed before checking it (Throttled when over a limit)."""
    with transaction.atomic():
        return _login_gate(mobile=mobile, ip=ip, record=True)


def login_attempt_succeeded(attempt: Attempt) -> None:
    LoginFailure.objects.filter(pk__in=attempt.ids).delete()


def login_with_password(*, request, mobile: str, password: str) -> User | None:
    """Authenticate, counting failures; raises Throttled when over the limit."""
    attempt = login_attempt_begin(mobile=mobile, ip=audit.client_ip(request))
    user = authenticate(request, mobile=mobile, password=password)
    if user is not None:
        login_attempt_succeeded(attempt)
    return user


def _rate_limit(limits: list[tuple[str, int, int]], *, now=None) -> None:
    """Count one use of each key, refusing it (Throttled) when any key already had `cap`
    uses in its window; `limits` is [(key, cap, window seconds)]. Locks; needs a transaction."""
    now = now or timezone.now()
    locking.lock(*(key for key, _cap, _window in limits))
    for key, cap, seconds in limits:
        counted = _recent(key, now=now, window=dt.timedelta(seconds=seconds), cap=cap)
        if len(counted) >= cap:
            raise _refuse_until(counted[-1] + dt.timedelta(seconds=seconds), now)
    LoginFailure.objects.bulk_create([LoginFailure(key=key, at=now) for key, _c, _w in limits])


def _sms_limits(mobile: str, ip: str | None) -> list[tuple[str, int, int]]:
    """One code a minute and a few an hour per number; a few dozen an hour per address."""
    index = blind_index(mobile)
    limits = [
        (f"sms:gap:{index}", 1, settings.SMS_MIN_GAP_SECONDS),
        (f"sms:m:{index}", settings.SMS_PER_NUMBER_PER_HOUR, 3600),
    ]
    if ip:
        limits.append((f"sms:ip:{ip}", settings.SMS_PER_ADDRESS_PER_HOUR, 3600))
    return limits


# --- SMS one-time codes -----------------------------------------------------------------


def _code_digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def _new_code(*, index: str, purpose: str) -> str:
    code = f"{secrets.randbelow(10**6):06d}"
    OneTimeCode.objects.create(
        mobile_index=index,
        purpose=purpose,
        digest=_code_digest(code),
        expires_at=timezone.now() + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    return code


@transaction.atomic
def otp_send(*, mobile: str, ip: str | None = None) -> None:
    """Send a 6-digit login code if the number has an account; say nothing either way.
    Limited per number and per address; a number without an account counts as a failed
    login (probing for numbers is guessing). The text goes out after commit."""
    mobile = _valid_mobile(mobile)
    index = blind_index(mobile)
    user = User.objects.filter(mobile_index=index, is_active=True).first()
    _login_gate(mobile=mobile, ip=ip, record=user is None)
    _rate_limit(_sms_limits(mobile, ip))
    if user is None:
        return
    code = _new_code(index=index, purpose=OneTimeCode.Purpose.LOGIN)
    notifications.sms_to_number(
        mobile=mobile,
        message=gettext_lazy("Your Yizhan login code is %(code)s, valid for %(minutes)d minutes."),
        params={"code": code, "minutes": settings.OTP_TTL_SECONDS // 60},
        language=user.language,
    )


def _use_code(*, index: str, purpose: str, code: str, now) -> bool:
    otp = (
        OneTimeCode.objects.select_for_update()
        .filter(
            mobile_index=index, purpose=purpose, used_at=None, expires_at__gt=now, attempts__lt=5
        )
        .order_by("-created_at")
        .first()
    )
    if otp is None or not hmac.compare_digest(otp.digest, _code_digest(code.strip())):
        if otp is not None:
            OneTimeCode.objects.filter(pk=otp.pk).update(attempts=otp.attempts + 1)
        return False
    # Conditional update: of two requests racing with the same code only one wins.
    return bool(OneTimeCode.objects.filter(pk=otp.pk, used_at=None).update(used_at=now))


@transaction.atomic
def otp_verify(*, mobile: str, code: str, ip: str | None = None) -> User | None:
    mobile = _valid_mobile(mobile)
    attempt = _login_gate(mobile=mobile, ip=ip, record=True)
    index = blind_index(mobile)
    if not _use_code(index=index, purpose=OneTimeCode.Purpose.LOGIN, code=code, now=timezone.now()):
        return None
    login_attempt_succeeded(attempt)
    return User.objects.filter(mobile_index=index, is_active=True).first()


# --- Registration with a verified number --------------------------------------------------
#
# Registration never says whether a number is taken: the form always answers "we texted a
# code to this number". A free number gets the code; a number with an account gets a note
# that someone tried to register it (its owner knows; nobody else learns anything). Only the
# person who holds the phone can finish, so only they hear about their ID number.


@transaction.atomic
def registration_code_send(*, mobile: str, ip: str | None, language: str = "zh-hans") -> None:
    mobile = _valid_mobile(mobile)
    limits = _sms_limits(mobile, ip)
    if ip:
        limits.append((f"reg:ip:{ip}", settings.REGISTRATIONS_PER_ADDRESS_PER_HOUR, 3600))
    _rate_limit(limits)
    index = blind_index(mobile)
    holder = User.objects.filter(mobile_index=index).first()
    if holder is not None:
        notifications.sms_to_number(
            mobile=mobile,
            message=gettext_lazy(
                "Someone tried to register a new Yizhan account with your number. You already "
                "have one: log in with your password or an SMS code. If it was not you, ignore "
                "this message."
            ),
            language=holder.language,
        )
        return
    code = _new_code(index=index, purpose=OneTimeCode.Purpose.REGISTER)
    notifications.sms_to_number(
        mobile=mobile,
        message=gettext_lazy(
            "Your Yizhan registration code is %(code)s, valid for %(minutes)d minutes."
        ),
        params={"code": code, "minutes": settings.OTP_TTL_SECONDS // 60},
        language=language,
    )


@transaction.atomic
def registration_code_check(*, mobile: str, code: str, ip: str | None) -> bool:
    """Whether `code` is the registration code texted to `mobile` (used once; wrong codes
    count like failed logins)."""
    mobile = _valid_mobile(mobile)
    attempt = _login_gate(mobile=mobile, ip=ip, record=True)
    if not _use_code(
        index=blind_index(mobile),
        purpose=OneTimeCode.Purpose.REGISTER,
        code=code,
        now=timezone.now(),
    ):
        return False
    login_attempt_succeeded(attempt)
    return True


# --- API tokens -------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_at: dt.datetime


def _token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def api_token_issue(*, user: User) -> IssuedToken:
    token = "yz_" + secrets.token_urlsafe(32)
    expires_at = timezone.now() + dt.timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    ApiToken.objects.create(
        user=user, digest=_token_digest(token), prefix=token[:8], expires_at=expires_at
    )
    return IssuedToken(token=token, expires_at=expires_at)


def api_token_user(*, token: str) -> User | None:
    """The active user a live token belongs to, or None (expired, revoked, unknown)."""
    now = timezone.now()
    row = (
        ApiToken.objects.select_related("user")
        .filter(digest=_token_digest(token), revoked_at=None, expires_at__gt=now)
        .first()
    )
    if row is None or not row.user.is_active:
        return None
    if row.last_used_at is None or now - row.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


def api_token_revoke(*, token: str) -> bool:
    return bool(
        ApiToken.objects.filter(digest=_token_digest(token), revoked_at=None).update(
            revoked_at=timezone.now()
        )
    )


# --- Roles ------------------------------------------------------------------------------


@transaction.atomic
def role_assign(*, user: User, role: str, scope=None, by: User | None = None) -> RoleAssignment:
    """Give a staff role; the scope object must match the role (a community for a grid officer)."""
    if role == Role.WORKER:
        raise Invalid(_("The worker role comes with a worker profile, not an assignment."))
    field = ROLE_SCOPE[Role(role)]
    if field is None and scope is not None:
        raise Invalid(_("This role is city-wide and takes no scope."))
    if field is not None and (scope is None or scope._meta.model_name != field):
        raise Invalid(_("This role needs a %(scope)s as its scope.") % {"scope": field})
    assignment, _created = RoleAssignment.objects.get_or_create(
        user=user, role=role, **({field: scope} if field else {})
    )
    audit.record(
        actor=by, action=AuditLog.Action.ROLE_CHANGE, subject=user, fields=[role], reason="assign"
    )
    return assignment


# --- A person's own data ------------------------------------------------------------------


def my_data_export(*, user: User, request=None) -> dict:
    """Everything we hold about the person, unmasked, as JSON-ready data (PIPL art. 45)."""
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "mobile": user.mobile,
            "name": user.name,
            "language": user.language,
            "date_joined": user.date_joined.isoformat(),
        },
        "roles": [
            {
                "role": a.role,
                **{f: str(getattr(a, f)) for f in SCOPE_FIELDS if getattr(a, f"{f}_id")},
            }
            for a in user.role_assignments.all()
        ],
        "worker_profile": None,
        "login_tokens": [
            {
                "prefix": t.prefix,
                "created_at": t.created_at.isoformat(),
                "expires_at": t.expires_at.isoformat(),
                "revoked": t.revoked_at is not None,
            }
            for t in user.api_tokens.all()
        ],
        "deletion_requests": [
            {"requested_at": r.requested_at.isoformat(), "status": r.status}
            for r in user.deletion_requests.all()
        ],
    }
    profile = getattr(user, "worker", None)
    if profile is not None:
        data["worker_profile"] = {
            "kind": profile.kind,
            "platform": profile.platform.name if profile.platform else None,
            "employer": profile.employer.name if profile.employer else None,
            "home_district": profile.home_district.name,
            "id_number": profile.id_number,
            "consent_version": profile.consent_version,
            "consent_at": profile.consent_at.isoformat(),
        }
    data.update(personal_data.export_all(user))  # what every other app holds about them
    audit.record(
        actor=user, action=AuditLog.Action.PII_EXPORT, subject=user, request=request, reason="self"
    )
    return data


def own_data_reveal(*, user: User, request=None) -> dict:
    """The person's own mobile and ID number in full, for their "show" tap on their page
    (masked by default, as banking apps do: a screen can be seen over a shoulder). Logged
    like every read of unmasked personal data."""
    profile = getattr(user, "worker", None)
    fields = ["mobile"] + (["id_number"] if profile is not None else [])
    audit.record(
        actor=user,
        action=AuditLog.Action.PII_READ,
        subject=user,
        fields=fields,
        reason="self",
        request=request,
    )
    return {"mobile": user.mobile, "id_number": profile.id_number if profile else ""}


def deletion_losses(*, user: User) -> list[str]:
    """What the person loses with their account, said before they confirm the deletion."""
    return personal_data.losses_all(user)


ERASE_TASK = "yizhan.accounts.tasks.erase_personal_data"


def _erasure_is_queued(request_id: int) -> bool:
    """Whether a live (ready or running, not stuck) erasure task exists for the request."""
    from django_tasks_db.models import DBTaskResult

    stuck_before = timezone.now() - dt.timedelta(minutes=settings.TASKS_STUCK_MINUTES)
    return (
        DBTaskResult.objects.filter(
            task_path=ERASE_TASK, args_kwargs__kwargs__request_id=request_id
        )
        .filter(Q(status="READY") | Q(status="RUNNING", started_at__gt=stuck_before))
        .exists()
    )


def _queue_erasure(req: DeletionRequest) -> None:
    from yizhan.accounts.tasks import erase_personal_data

    DeletionRequest.objects.filter(pk=req.pk).update(
        queued_at=timezone.now(), runs_queued=F("runs_queued") + 1
    )
    transaction.on_commit(lambda: erase_personal_data.enqueue(request_id=req.pk))


@transaction.atomic
def deletion_request_create(*, user: User) -> DeletionRequest:
    """Record the request and queue the erasure; the account is closed at once. Asking again
    while a request is pending queues it again if its run was lost."""
    existing = user.deletion_requests.filter(status=DeletionRequest.Status.PENDING).first()
    if existing:
        if not _erasure_is_queued(existing.pk):
            _queue_erasure(existing)
        return existing
    request = DeletionRequest.objects.create(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
    _queue_erasure(request)
    return request


def erasures_recover(*, now=None) -> list[int]:
    """Queue again every pending erasure whose run was lost (the worker died mid-run, or the
    queue entry never got written); the erasure is idempotent. Returns the request ids."""
    now = now or timezone.now()
    stale = now - dt.timedelta(minutes=settings.TASKS_STUCK_MINUTES)
    requeued = []
    for req in DeletionRequest.objects.filter(status=DeletionRequest.Status.PENDING).filter(
        Q(queued_at__lt=stale) | Q(queued_at=None)
    ):
        with transaction.atomic():
            if not _erasure_is_queued(req.pk):
                _queue_erasure(req)
                requeued.append(req.pk)
    return requeued


def deletion_request_state(*, token) -> dict:
    """What the person may know about their request (no personal data: they are logged out
    and the page is reached by its token): when, where it stands, and whether a run was lost."""
    from django_tasks_db.models import DBTaskResult

    req = DeletionRequest.objects.filter(token=token).first()
    if req is None:
        raise NotFound
    runs = max(
        req.runs_queued,
        DBTaskResult.objects.filter(
            task_path=ERASE_TASK, args_kwargs__kwargs__request_id=req.pk
        ).count(),
    )
    if req.status == DeletionRequest.Status.DONE:
        state = "done"
    elif runs > 1:
        state = "retrying"
    else:
        state = "queued"
    return {
        "requested_at": req.requested_at,
        "processed_at": req.processed_at,
        "state": state,
        "runs": runs,
    }


@transaction.atomic
def personal_data_erase(*, request_id: int) -> bool:
    """Erase a person's personal data, keeping the anonymous rows other records point to."""
    req = DeletionRequest.objects.select_for_update().select_related("user").get(pk=request_id)
    if req.status == DeletionRequest.Status.DONE:
        return False
    user = req.user
    now = timezone.now()
    tombstone = f"erased-{user.pk}-{secrets.token_hex(8)}"
    user.mobile = ""
    user.mobile_index = blind_index(tombstone)  # unique, and matches no real number
    user.name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    WorkerProfile.objects.filter(user=user).update(
        id_number="", id_number_index=None, erased_at=now
    )
    personal_data.erase_all(user)  # every other app's data about the person, same transaction
    req.status = DeletionRequest.Status.DONE
    req.processed_at = now
    req.save(update_fields=["status", "processed_at"])
    audit.record(actor=None, action=AuditLog.Action.PII_ERASE, subject=user, reason="request")
    return True


# --- Staff reads of personal data ---------------------------------------------------------


def user_find_by_mobile(*, staff: User, mobile: str, request=None) -> User | None:
    """A staff search by a full mobile number (the people pages, the back office): audited
    whether it finds someone or not. The pages send it in a POST body, so the number never
    lands in a URL or an access log."""
    from yizhan.accounts.permissions import can_reveal_personal_data

    if not (can_reveal_personal_data(staff) or staff.is_staff):
        raise NotAllowed
    mobile = _valid_mobile(mobile)
    user = User.objects.filter(mobile_index=blind_index(mobile)).first()
    audit.record(
        actor=staff,
        action=AuditLog.Action.PII_READ,
        subject=user,
        fields=["mobile"],
        reason="search by full mobile number",
        request=request,
    )
    return user


@dataclass(frozen=True)
class PeopleSearch:
    by: str  # "mobile", "masked", "name" or "" (nothing searchable)
    ids: list[int]
    label: str  # what the list shows as the search: masked, never the number typed


@transaction.atomic
def people_search(*, staff: User, query: str, request=None) -> PeopleSearch:
    """Staff look a worker up by full mobile, masked mobile or full name. Linking a number or
    a name to a person is a read of personal data: each search is in the audit log (which
    people it found, or that it found nobody), never the number itself. The caller keeps the
    query out of URLs and access logs (the page posts it)."""
    from yizhan.accounts.permissions import can_reveal_personal_data

    if not can_reveal_personal_data(staff):
        raise NotAllowed
    by, ids = selectors.people_matching(query)
    if not by:
        raise Invalid(
            fields={
                "q": [_("Type a whole name, a mobile number or a masked one like 138****1234.")]
            }
        )
    text = "".join((query or "").split())
    label = mask_name(text) if by == "name" else mask_mobile(normalise_mobile(text))
    if by == "masked":
        label = f"{text[:3]}****{text[-4:]}"
    profiles = WorkerProfile.objects.filter(pk__in=ids).select_related("user")
    reason = f"people search by {by}"
    for profile in profiles:
        audit.record(
            actor=staff,
            action=AuditLog.Action.PII_READ,
            subject=profile.user,
            fields=["name" if by == "name" else "mobile"],
            reason=reason,
            request=request,
        )
    if not ids:
        audit.record(
            actor=staff,
            action=AuditLog.Action.PII_READ,
            subject=staff,
            fields=["name" if by == "name" else "mobile"],
            reason=f"{reason}: nobody found",
            request=request,
        )
    return PeopleSearch(by=by, ids=ids, label=label)


def worker_reveal(*, staff: User, worker: WorkerProfile, reason: str, request=None) -> dict:
    """Unmasked personal data for a staff member who may see it; every call is audited."""
    from yizhan.accounts.permissions import can_reveal_personal_data

    if not can_reveal_personal_data(staff):
        raise NotAllowed
    if not reason.strip():
        raise Invalid(fields={"reason": [_("Say why you need to see this person's data.")]})
    audit.record(
        actor=staff,
        action=AuditLog.Action.PII_READ,
        subject=worker.user,
        fields=["name", "mobile", "id_number"],
        reason=reason.strip(),
        request=request,
    )
    return {
        "name": worker.user.name,
        "mobile": worker.user.mobile,
        "id_number": worker.id_number,
    }
