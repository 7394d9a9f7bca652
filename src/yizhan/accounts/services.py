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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

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
from yizhan.core import audit, notifications, personal_data
from yizhan.core.errors import Invalid, NotAllowed, Throttled
from yizhan.core.models import AuditLog
from yizhan.core.pii import blind_index
from yizhan.core.validators import validate_id_number, validate_mobile


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
    password: str,
    kind: str,
    home_district,
    id_number: str,
    consent: bool,
    platform=None,
    employer=None,
    language: str = "zh-hans",
) -> User:
    """Create a worker's account and profile, or raise Invalid keyed by field."""
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


# --- Login throttling -------------------------------------------------------------------


def _throttle_keys(mobile: str, ip: str | None) -> list[str]:
    keys = [f"m:{blind_index(mobile)}"]
    if ip:
        keys.append(f"ip:{ip}")
    return keys


def login_check_throttle(*, mobile: str, ip: str | None) -> None:
    """Refuse further tries after too many failures for this account (or 4x that per IP)
    within the window: Throttled, with the seconds until the oldest counted failure ages
    out of the window (then one more try is allowed)."""
    window = dt.timedelta(seconds=settings.LOGIN_FAILURE_WINDOW_SECONDS)
    now = timezone.now()
    limit = settings.LOGIN_MAX_FAILURES
    for key in _throttle_keys(mobile, ip):
        cap = limit * 4 if key.startswith("ip:") else limit
        recent = LoginFailure.objects.filter(key=key, at__gte=now - window).order_by("-at")
        counted = list(recent.values_list("at", flat=True)[:cap])
        if len(counted) >= cap:
            retry_after = max(1, math.ceil((counted[-1] + window - now).total_seconds()))
            raise Throttled(
                _("Too many failed attempts. Please wait %(minutes)d minutes and try again.")
                % {"minutes": math.ceil(retry_after / 60)},
                retry_after=retry_after,
            )


def login_record_failure(*, mobile: str, ip: str | None) -> None:
    LoginFailure.objects.bulk_create([LoginFailure(key=k) for k in _throttle_keys(mobile, ip)])


def login_with_password(*, request, mobile: str, password: str) -> User | None:
    """Authenticate, counting failures; raises Throttled when over the limit."""
    ip = audit.client_ip(request)
    login_check_throttle(mobile=mobile, ip=ip)
    user = authenticate(request, mobile=mobile, password=password)
    if user is None:
        login_record_failure(mobile=mobile, ip=ip)
    return user


# --- SMS one-time codes -----------------------------------------------------------------


def _code_digest(code: str) -> str:
    return hmac.new(settings.SECRET_KEY.encode(), code.encode(), hashlib.sha256).hexdigest()


def otp_send(*, mobile: str, ip: str | None = None) -> None:
    """Send a 6-digit login code if the number has an account; say nothing either way.
    The text goes out in the account holder's language, after commit."""
    mobile = _valid_mobile(mobile)
    login_check_throttle(mobile=mobile, ip=ip)
    index = blind_index(mobile)
    user = User.objects.filter(mobile_index=index, is_active=True).first()
    if user is None:
        login_record_failure(mobile=mobile, ip=ip)  # probing for numbers counts as guessing
        return
    code = f"{secrets.randbelow(10**6):06d}"
    OneTimeCode.objects.create(
        mobile_index=index,
        digest=_code_digest(code),
        expires_at=timezone.now() + dt.timedelta(seconds=settings.OTP_TTL_SECONDS),
    )
    notifications.sms_to_number(
        mobile=mobile,
        message=gettext_lazy("Your Yizhan login code is %(code)s, valid for %(minutes)d minutes."),
        params={"code": code, "minutes": settings.OTP_TTL_SECONDS // 60},
        language=user.language,
    )


@transaction.atomic
def otp_verify(*, mobile: str, code: str, ip: str | None = None) -> User | None:
    mobile = _valid_mobile(mobile)
    login_check_throttle(mobile=mobile, ip=ip)
    index = blind_index(mobile)
    now = timezone.now()
    otp = (
        OneTimeCode.objects.select_for_update()
        .filter(mobile_index=index, used_at=None, expires_at__gt=now, attempts__lt=5)
        .order_by("-created_at")
        .first()
    )
    if otp is None or not hmac.compare_digest(otp.digest, _code_digest(code.strip())):
        if otp is not None:
            OneTimeCode.objects.filter(pk=otp.pk).update(attempts=otp.attempts + 1)
        login_record_failure(mobile=mobile, ip=ip)
        return None
    # Conditional update: of two requests racing with the same code only one gets the user.
    if not OneTimeCode.objects.filter(pk=otp.pk, used_at=None).update(used_at=now):
        return None
    return User.objects.filter(mobile_index=index, is_active=True).first()


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


@transaction.atomic
def deletion_request_create(*, user: User) -> DeletionRequest:
    """Record the request and queue the erasure; the account is closed at once."""
    from yizhan.accounts.tasks import erase_personal_data

    existing = user.deletion_requests.filter(status=DeletionRequest.Status.PENDING).first()
    if existing:
        return existing
    request = DeletionRequest.objects.create(user=user)
    User.objects.filter(pk=user.pk).update(is_active=False)
    ApiToken.objects.filter(user=user, revoked_at=None).update(revoked_at=timezone.now())
    transaction.on_commit(lambda: erase_personal_data.enqueue(request_id=request.pk))
    return request


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
