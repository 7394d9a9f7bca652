"""Membership and check-in: the writers, one function per use case, read top to bottom.

    organisations and officers → separate consent (unions, parties) → apply (app or QR)
    → approve / reject → card → suspend / reinstate / end / leave
    → one-step check-in (一键报到) → acknowledge / decline / cancel → the deadline sweep
    → grid members: appoint → consent → suspend / reinstate / end
    → registry yes/no checks → a person's data: export and erasure

Every write takes keyword-only arguments and runs in one transaction; refusals are
`core.errors` with a message the person can act on, and nothing changes when one is raised.
"""

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yizhan.accounts import selectors as accounts
from yizhan.accounts.permissions import Role
from yizhan.core import audit, events
from yizhan.core.errors import Conflict, Invalid, NotAllowed, NotFound
from yizhan.core.models import AuditLog
from yizhan.core.notifications import notify, notify_many
from yizhan.core.pii import blind_index
from yizhan.core.workdays import add_working_days
from yizhan.membership import permissions as perms
from yizhan.membership import registry as registries
from yizhan.membership.models import (
    EXCLUSIVE_FAMILIES,
    HELD_STATES,
    KIND_FAMILY,
    LIVE_APPOINTMENT_STATES,
    LIVE_STATES,
    SENSITIVE_FAMILIES,
    AppointmentEvent,
    Family,
    GridAppointment,
    Membership,
    MembershipCounter,
    MembershipEvent,
    Officer,
    Organisation,
    Registry,
    RegistryQuery,
    SensitiveConsent,
    Transfer,
)
from yizhan.membership.rules import (
    CONSENT_VERSION,
    due_after,
    end_of_day,
    format_number,
    join_token,
    local_date,
    person_index,
    tokens_match,
)

S = Membership.State
A = MembershipEvent.Action
T = Transfer.State
G = GridAppointment.State
MAX_REGISTRY_ROWS = 100_000
MAX_TEXT = 300


def _now(now=None) -> dt.datetime:
    return now or timezone.now()


def _users(ids):
    return list(get_user_model().objects.filter(pk__in=list(ids), is_active=True).order_by("id"))


def _person(membership) -> object | None:
    found = _users([membership.user_id]) if membership.user_id else []
    return found[0] if found else None


def _reason(text: str, *, field: str = "reason", required: bool = True) -> str:
    text = (text or "").strip()
    if required and not text:
        raise Invalid(_("Give a reason: the person concerned will read it."), field=field)
    if len(text) > MAX_TEXT or "\x00" in text:
        raise Invalid(_("Keep it under 300 characters."), field=field)
    return text


def _record(membership, action, *, actor=None, at=None, from_state="", to_state="", note=""):
    return MembershipEvent.objects.create(
        membership=membership,
        at=_now(at),
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note[:MAX_TEXT],
    )


def _ended_message(membership):
    return Conflict(
        _("This membership ended on %(date)s; apply to join again.")
        % {"date": f"{membership.decided_at or membership.updated_at:%Y-%m-%d}"}
    )


# --- who to tell ---------------------------------------------------------------------------


def officers_of(organisation: Organisation) -> list:
    """The people who act for `organisation`: its own officers, or else those of the nearest
    organisation above it that has any; a roster also has its community's grid officers."""
    chain = [int(p) for p in organisation.path.strip("/").split("/") if p]
    posts = Officer.objects.filter(organisation_id__in=chain, user__is_active=True).select_related(
        "user"
    )
    by_org: dict[int, list] = {}
    for post in posts:
        by_org.setdefault(post.organisation_id, []).append(post.user)
    people: list = []
    for org_id in reversed(chain):
        if by_org.get(org_id):
            people = by_org[org_id]
            break
    if organisation.family == Family.GRID and organisation.community_id:
        people += list(
            accounts.users_holding(Role.GRID_OFFICER, community_id=organisation.community_id)
        )
    return people


def _tell_officers(organisation, message, params=None, *, url=""):
    notify_many(
        users=officers_of(organisation), message=message, params=params, url=url, verb="membership"
    )


def _tell_member(membership, message, params=None, *, url="", sms=False):
    user = _person(membership)
    if user is not None:
        notify(user=user, message=message, params=params, url=url, verb="membership", sms=sms)


def _org_url(organisation) -> str:
    return reverse("membership:org", args=[organisation.pk])


def _card_url(membership) -> str:
    return reverse("membership:card", args=[membership.pk])


# --- organisations and officers ----------------------------------------------------------


def _fill_places(*, district, subdistrict, community, station):
    """An organisation tied to a station sits in its community; a community in its
    subdistrict; a subdistrict in its district."""
    if station is not None and community is None:
        community = station.community
    if community is not None and subdistrict is None:
        subdistrict = community.subdistrict
    if subdistrict is not None and district is None:
        district = subdistrict.district
    return district, subdistrict, community, station


@transaction.atomic
def organisation_create(
    *,
    actor,
    kind: str,
    name: str,
    code: str,
    parent: Organisation | None = None,
    district=None,
    subdistrict=None,
    community=None,
    station=None,
    accepts_members: bool | None = None,
    ack_working_days: int = 5,
) -> Organisation:
    """A new organisation in the tree (the city, or an officer of its parent)."""
    if not perms.can_create_organisation(actor, parent):
        raise NotAllowed()
    errors: dict[str, list] = {}
    if kind not in KIND_FAMILY:
        errors["kind"] = [_("Choose a kind of organisation.")]
    name = (name or "").strip()
    if not name or len(name) > 120:
        errors["name"] = [_("Give the organisation a name of up to 120 characters.")]
    code = (code or "").strip()
    if not code or Organisation.objects.filter(code=code).exists():
        errors["code"] = [_("This code is empty or already taken.")]
    if not 1 <= int(ack_working_days or 0) <= 30:
        errors["ack_working_days"] = [_("Between 1 and 30 working days.")]
    family = KIND_FAMILY.get(kind)
    if parent is not None and family and parent.family != family:
        errors["parent"] = [_("An organisation sits under one of its own family.")]
    if errors:
        raise Invalid(fields=errors)
    district, subdistrict, community, station = _fill_places(
        district=district, subdistrict=subdistrict, community=community, station=station
    )
    if accepts_members is None:
        accepts_members = kind not in (
            Organisation.Kind.UNION_FEDERATION,
            Organisation.Kind.PARTY_COMMITTEE,
        )
    org = Organisation.objects.create(
        kind=kind,
        family=family,
        name=name,
        code=code,
        parent=parent,
        district=district,
        subdistrict=subdistrict,
        community=community,
        station=station,
        accepts_members=accepts_members,
        ack_working_days=ack_working_days,
    )
    org.path = f"{parent.path if parent else '/'}{org.pk}/"
    org.save(update_fields=["path"])
    return org


@transaction.atomic
def officer_appoint(*, actor, organisation: Organisation, user, post: str = Officer.Post.OFFICER):
    if not perms.can_manage_officers(actor, organisation):
        raise NotAllowed()
    if post not in Officer.Post.values:
        raise Invalid(_("Choose a post."), field="post")
    officer, created = Officer.objects.get_or_create(
        organisation=organisation, user=user, defaults={"post": post}
    )
    if not created and officer.post != post:
        officer.post = post
        officer.save(update_fields=["post"])
    audit.record(actor=actor, action=AuditLog.Action.ROLE_CHANGE, subject=officer, reason="post")
    return officer


@transaction.atomic
def officer_remove(*, actor, officer: Officer) -> None:
    if not perms.can_manage_officers(actor, officer.organisation):
        raise NotAllowed()
    audit.record(actor=actor, action=AuditLog.Action.ROLE_CHANGE, subject=officer, reason="removed")
    officer.delete()


# --- separate consent for sensitive membership (PIPL art. 29) ---------------------------


def _standing_consent(user, family):
    return SensitiveConsent.objects.filter(
        person_index=person_index(user.pk), family=family, withdrawn_at=None
    ).first()


@transaction.atomic
def consent_give(*, user, family: str) -> SensitiveConsent:
    if family not in SENSITIVE_FAMILIES:
        raise Invalid(_("Only union and party membership need this consent."), field="family")
    existing = _standing_consent(user, family)
    if existing is not None:
        return existing
    return SensitiveConsent.objects.create(
        person=str(user.pk),
        person_index=person_index(user.pk),
        family=family,
        version=CONSENT_VERSION,
        given_at=timezone.now(),
    )


@transaction.atomic
def consent_withdraw(*, user, family: str) -> int:
    """Withdraw the consent; the memberships it covered end (we may no longer process them).
    Returns how many memberships ended."""
    consent = _standing_consent(user, family)
    if consent is None:
        raise Conflict(_("There is no consent to withdraw."))
    now = timezone.now()
    SensitiveConsent.objects.filter(pk=consent.pk).update(withdrawn_at=now)
    ended = 0
    for membership in Membership.objects.select_for_update().filter(
        person_index=person_index(user.pk), family=family, state__in=LIVE_STATES
    ):
        _cancel_pending_transfers(membership, actor=user, note="consent withdrawn", now=now)
        old = membership.state
        membership.state = S.ENDED
        membership.reason = "consent withdrawn"
        membership.decided_at = now
        membership.save(update_fields=["state", "reason", "decided_at", "updated_at"])
        _record(
            membership,
            A.LEFT,
            actor=user,
            at=now,
            from_state=old,
            to_state=S.ENDED,
            note="consent withdrawn",
        )
        ended += 1
    return ended


# --- joining ------------------------------------------------------------------------------


def _require_worker(user):
    if not perms.is_worker(user):
        raise NotAllowed(_("Only registered workers can join or check in."))


def _takes_members(organisation: Organisation, *, field: str = "organisation"):
    if organisation.family == Family.GRID:
        raise Invalid(
            _(
                "Grid members are appointed by their community; a roster takes no applications or check-ins."
            ),
            field=field,
        )
    if not organisation.active or not organisation.accepts_members:
        raise Invalid(
            _("%(org)s does not take members directly; choose one of its branches.")
            % {"org": organisation.name},
            field=field,
        )


def _refuse_duplicates(user, organisation, index, id_index):
    """Join once: the blind indexes find a live membership of this person (or of their ID
    number under another account) before the database constraint has to."""
    live = Membership.objects.filter(state__in=LIVE_STATES).select_related("organisation")
    mine = live.filter(person_index=index)
    same_org = mine.filter(organisation=organisation).first()
    if same_org is not None:
        if same_org.state == S.PENDING:
            raise Conflict(
                _("Your application to %(org)s is still under review.") % {"org": organisation.name}
            )
        raise Conflict(_("You are already a member of %(org)s.") % {"org": organisation.name})
    if organisation.family not in EXCLUSIVE_FAMILIES:
        return
    held = mine.filter(family=organisation.family).first()
    if held is not None:
        if held.state == S.PENDING:
            raise Conflict(
                _(
                    "Your application to %(org)s is still under review; wait for it before applying elsewhere."
                )
                % {"org": held.organisation.name}
            )
        raise Conflict(
            _(
                "You are already a member of %(org)s. To move, check in at the new organisation instead of joining again."
            )
            % {"org": held.organisation.name}
        )
    if id_index and live.filter(family=organisation.family, id_index=id_index).exists():
        raise Conflict(
            _(
                "A membership with this ID number already exists under another account. Ask the organisation's officers for help."
            )
        )


@transaction.atomic
def membership_apply(
    *,
    user,
    organisation: Organisation,
    consent: bool = False,
    via: str = Membership.Via.APP,
    token: str = "",
) -> Membership:
    """A worker applies to join (in the app or by scanning the organisation's QR code)."""
    _require_worker(user)
    _takes_members(organisation)
    if via == Membership.Via.QR and not tokens_match(token, join_token(organisation.code)):
        raise Invalid(_("This QR code is not valid for this organisation."), field="token")
    if (
        organisation.family in SENSITIVE_FAMILIES
        and _standing_consent(user, organisation.family) is None
    ):
        if not consent:
            raise Invalid(
                _(
                    "Union and party membership are sensitive personal information: tick the separate consent to apply."
                ),
                field="consent",
            )
        consent_give(user=user, family=organisation.family)
    profile = user.worker
    index = person_index(user.pk)
    id_index = profile.id_number_index or ""
    _refuse_duplicates(user, organisation, index, id_index)
    now = timezone.now()
    try:
        with transaction.atomic():
            membership = Membership.objects.create(
                organisation=organisation,
                family=organisation.family,
                person=str(user.pk),
                person_index=index,
                id_index=id_index,
                employer_id=profile.employer_id,
                home_district_id=profile.home_district_id,
                state=S.PENDING,
                via=via if via in Membership.Via.values else Membership.Via.APP,
                applied_at=now,
            )
    except IntegrityError:  # a double tap or a race with another application
        raise Conflict(_("You already have a membership or application of this kind.")) from None
    _record(
        membership,
        A.APPLIED,
        actor=user,
        at=now,
        to_state=S.PENDING,
        note=membership.get_via_display(),
    )
    _tell_officers(
        organisation,
        _("A new membership application is waiting for review at %(org)s."),
        {"org": organisation.name},
        url=_org_url(organisation),
    )
    return membership


def _lock_membership(membership_id) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .select_related("organisation")
        .filter(pk=membership_id)
        .first()
    )
    if membership is None:
        raise NotFound()
    return membership


def _require_officer_of(actor, membership, *, own_message):
    if not perms.acts_for(actor, membership.organisation):
        raise NotAllowed()
    if membership.user_id == actor.pk:
        raise NotAllowed(own_message)


def _next_number(family: str, now) -> str:
    year = local_date(now).year
    counter, _created = MembershipCounter.objects.get_or_create(family=family, year=year)
    MembershipCounter.objects.filter(pk=counter.pk).update(last=F("last") + 1)
    counter.refresh_from_db(fields=["last"])
    return format_number(family, year, counter.last)


@transaction.atomic
def membership_approve(*, actor, membership_id: int) -> Membership:
    membership = _lock_membership(membership_id)
    _require_officer_of(
        actor, membership, own_message=_("You cannot decide on your own application.")
    )
    if membership.state != S.PENDING:
        raise Conflict(_("This application was already decided."))
    now = timezone.now()
    membership.state = S.ACTIVE
    membership.number = _next_number(membership.family, now)
    membership.member_since = local_date(now)
    membership.decided_at, membership.decided_by = now, actor
    membership.save()
    _record(membership, A.APPROVED, actor=actor, at=now, from_state=S.PENDING, to_state=S.ACTIVE)
    _tell_member(
        membership,
        _("Welcome: your membership application was approved. Your card is ready."),
        url=_card_url(membership),
        sms=True,
    )
    events.publish(
        "membership.joined",
        membership_id=membership.pk,
        organisation_id=membership.organisation_id,
        family=membership.family,
    )
    return membership


@transaction.atomic
def membership_reject(*, actor, membership_id: int, reason: str) -> Membership:
    membership = _lock_membership(membership_id)
    _require_officer_of(
        actor, membership, own_message=_("You cannot decide on your own application.")
    )
    reason = _reason(reason)
    if membership.state != S.PENDING:
        raise Conflict(_("This application was already decided."))
    now = timezone.now()
    membership.state, membership.reason = S.REJECTED, reason
    membership.decided_at, membership.decided_by = now, actor
    membership.save()
    _record(
        membership,
        A.REJECTED,
        actor=actor,
        at=now,
        from_state=S.PENDING,
        to_state=S.REJECTED,
        note=reason,
    )
    _tell_member(
        membership,
        _("Your membership application was not accepted: %(reason)s"),
        {"reason": reason},
        url=reverse("membership:mine"),
    )
    return membership


def _cancel_pending_transfers(membership, *, actor, note, now):
    for transfer in Transfer.objects.select_for_update().filter(
        membership=membership, state=T.PENDING
    ):
        transfer.state, transfer.decided_at, transfer.reason = T.CANCELLED, now, note[:MAX_TEXT]
        transfer.save(update_fields=["state", "decided_at", "reason"])
        _record(membership, A.TRANSFER_CANCELLED, actor=actor, at=now, note=note)


def _officer_step(*, actor, membership_id, allowed_from, to_state, action, reason, message):
    membership = _lock_membership(membership_id)
    _require_officer_of(
        actor, membership, own_message=_("You cannot decide on your own membership.")
    )
    if membership.state == S.ENDED:
        raise _ended_message(membership)
    if membership.state not in allowed_from:
        raise Conflict(
            _("This membership is %(state)s; that step is not possible now.")
            % {"state": membership.get_state_display()}
        )
    now = timezone.now()
    old = membership.state
    if to_state != S.ACTIVE:
        _cancel_pending_transfers(membership, actor=actor, note=reason, now=now)
    membership.state, membership.reason = to_state, reason
    membership.decided_at, membership.decided_by = now, actor
    membership.save()
    _record(membership, action, actor=actor, at=now, from_state=old, to_state=to_state, note=reason)
    _tell_member(membership, message, {"reason": reason}, url=_card_url(membership))
    return membership


@transaction.atomic
def membership_suspend(*, actor, membership_id: int, reason: str) -> Membership:
    return _officer_step(
        actor=actor,
        membership_id=membership_id,
        allowed_from=(S.ACTIVE,),
        to_state=S.SUSPENDED,
        action=A.SUSPENDED,
        reason=_reason(reason),
        message=_("Your membership was suspended: %(reason)s"),
    )


@transaction.atomic
def membership_reinstate(*, actor, membership_id: int, reason: str = "") -> Membership:
    return _officer_step(
        actor=actor,
        membership_id=membership_id,
        allowed_from=(S.SUSPENDED,),
        to_state=S.ACTIVE,
        action=A.REINSTATED,
        reason=_reason(reason, required=False),
        message=_("Your membership is active again."),
    )


@transaction.atomic
def membership_end(*, actor, membership_id: int, reason: str) -> Membership:
    return _officer_step(
        actor=actor,
        membership_id=membership_id,
        allowed_from=HELD_STATES,
        to_state=S.ENDED,
        action=A.ENDED,
        reason=_reason(reason),
        message=_("Your membership was ended: %(reason)s"),
    )


@transaction.atomic
def membership_leave(*, user, membership_id: int) -> Membership:
    """The member ends their own membership (or withdraws an application)."""
    membership = _lock_membership(membership_id)
    if not perms.owns(user, membership):
        raise NotFound()
    if membership.state == S.ENDED:
        raise _ended_message(membership)
    if membership.state not in LIVE_STATES:
        raise Conflict(
            _("This membership is %(state)s; that step is not possible now.")
            % {"state": membership.get_state_display()}
        )
    now = timezone.now()
    _cancel_pending_transfers(membership, actor=user, note="left", now=now)
    old = membership.state
    membership.state, membership.reason, membership.decided_at = S.ENDED, "left", now
    membership.save()
    _record(membership, A.LEFT, actor=user, at=now, from_state=old, to_state=S.ENDED)
    return membership


# --- one-step check-in (一键报到) ---------------------------------------------------------


def _membership_to_move(user, organisation, membership_id=None) -> Membership:
    family = organisation.family
    mine = Membership.objects.filter(person_index=person_index(user.pk)).select_related(
        "organisation"
    )
    if membership_id is not None:
        membership = mine.filter(pk=membership_id).first()
        if membership is None:
            raise NotFound()
        if membership.family != family:
            raise Invalid(
                _(
                    "%(org)s is of the kind “%(kind)s”; your membership is of the kind “%(mine)s”. "
                    "Check in at an organisation of the same kind."
                )
                % {
                    "org": organisation.name,
                    "kind": Family(family).label,
                    "mine": Family(membership.family).label,
                },
                field="organisation",
            )
    else:
        membership = (
            mine.filter(family=family, state__in=LIVE_STATES).order_by("-applied_at", "-id").first()
            or mine.filter(family=family).order_by("-applied_at", "-id").first()
        )
    if membership is None:
        raise Invalid(
            _(
                "You have no membership of the kind “%(kind)s” to move to %(org)s. "
                "Apply to join instead."
            )
            % {"kind": Family(family).label, "org": organisation.name},
            field="organisation",
        )
    if membership.state == S.ENDED:
        raise _ended_message(membership)
    if membership.state == S.PENDING:
        raise Conflict(
            _("Your application to %(org)s is still under review; check in once it is approved.")
            % {"org": membership.organisation.name}
        )
    if membership.state == S.SUSPENDED:
        raise Conflict(_("Your membership is suspended; it cannot move until it is reinstated."))
    if membership.state != S.ACTIVE:
        raise Conflict(
            _("This membership is %(state)s; that step is not possible now.")
            % {"state": membership.get_state_display()}
        )
    return membership


@transaction.atomic
def check_in(
    *,
    user,
    organisation: Organisation,
    station=None,
    membership_id: int | None = None,
    client_key: str = "",
    now=None,
) -> tuple[Transfer, bool]:
    """One tap: ask `organisation` to take over the worker's membership of its family.
    Returns (transfer, created); a second tap (or a retry) returns the first transfer."""
    _require_worker(user)
    _takes_members(organisation)
    membership = _membership_to_move(user, organisation, membership_id)
    membership = _lock_membership(membership.pk)
    already = Membership.objects.filter(
        person_index=membership.person_index, organisation=organisation, state__in=LIVE_STATES
    ).exists()
    if membership.organisation_id == organisation.pk or already:
        raise Invalid(
            _("You are already a member of %(org)s.") % {"org": organisation.name},
            field="organisation",
        )
    if membership.state != S.ACTIVE:  # it changed while we looked
        raise Conflict(
            _("This membership is %(state)s; that step is not possible now.")
            % {"state": membership.get_state_display()}
        )
    client_key = (client_key or "")[:64]
    if client_key:
        earlier = Transfer.objects.filter(membership=membership, client_key=client_key).first()
        if earlier is not None:
            return earlier, False
    waiting = (
        Transfer.objects.filter(membership=membership, state=T.PENDING)
        .select_related("to_org")
        .first()
    )
    if waiting is not None:
        if waiting.to_org_id == organisation.pk:
            return waiting, False
        raise Conflict(
            _("Your check-in at %(org)s is still waiting; cancel it before checking in elsewhere.")
            % {"org": waiting.to_org.name}
        )
    now = _now(now)
    transfer = Transfer.objects.create(
        membership=membership,
        family=membership.family,
        from_org=membership.organisation,
        to_org=organisation,
        station=station,
        client_key=client_key,
        requested_at=now,
        working_days=organisation.ack_working_days,
        due_at=due_after(now, organisation.ack_working_days),
    )
    _record(
        membership,
        A.CHECKED_IN,
        actor=user,
        at=now,
        from_state=S.ACTIVE,
        to_state=S.ACTIVE,
        note=organisation.name + (f" @ {station.name}" if station is not None else ""),
    )
    due = f"{timezone.localtime(transfer.due_at):%Y-%m-%d}"
    _tell_officers(
        organisation,
        _("A member checked in with %(org)s: acknowledge the transfer by %(due)s."),
        {"org": organisation.name, "due": due},
        url=_org_url(organisation) + "#transfers",
    )
    _tell_officers(
        membership.organisation,
        _(
            "A member of %(org)s checked in elsewhere; the membership moves when the receiving organisation acknowledges."
        ),
        {"org": membership.organisation.name},
        url=_org_url(membership.organisation) + "#outgoing",
    )
    events.publish(
        "membership.checked_in",
        transfer_id=transfer.pk,
        family=transfer.family,
        from_org_id=transfer.from_org_id,
        to_org_id=transfer.to_org_id,
    )
    return transfer, True


def _lock_transfer(transfer_id) -> Transfer:
    transfer = (
        Transfer.objects.select_for_update()
        .select_related("to_org", "from_org", "membership")
        .filter(pk=transfer_id)
        .first()
    )
    if transfer is None:
        raise NotFound()
    return transfer


def _decidable(actor, transfer):
    if not perms.acts_for(actor, transfer.to_org):
        raise NotAllowed()
    if transfer.membership.user_id == actor.pk:
        raise NotAllowed(_("You cannot acknowledge your own check-in."))
    if transfer.state != T.PENDING:
        raise Conflict(
            _("This check-in is already %(state)s.") % {"state": transfer.get_state_display()}
        )


@transaction.atomic
def transfer_acknowledge(*, actor, transfer_id: int, now=None) -> Transfer:
    """The receiving organisation takes the member over: the old membership becomes
    'transferred', a new one continues it with the same number and 'member since' date."""
    transfer = _lock_transfer(transfer_id)
    _decidable(actor, transfer)
    old = _lock_membership(transfer.membership_id)
    if old.state == S.ENDED:
        raise _ended_message(old)
    if old.state != S.ACTIVE:
        raise Conflict(
            _("This membership is %(state)s; that step is not possible now.")
            % {"state": old.get_state_display()}
        )
    now = _now(now)
    old.state, old.decided_at, old.decided_by = S.TRANSFERRED, now, actor
    old.save()
    new = Membership.objects.create(
        organisation=transfer.to_org,
        family=old.family,
        person=old.person,
        person_index=old.person_index,
        id_index=old.id_index,
        employer_id=old.employer_id,
        home_district_id=old.home_district_id,
        state=S.ACTIVE,
        number=old.number,
        member_since=old.member_since,
        via=Membership.Via.TRANSFER,
        previous=old,
        applied_at=transfer.requested_at,
        decided_at=now,
        decided_by=actor,
    )
    _record(
        old,
        A.TRANSFERRED_OUT,
        actor=actor,
        at=now,
        from_state=S.ACTIVE,
        to_state=S.TRANSFERRED,
        note=transfer.to_org.name,
    )
    _record(
        new, A.TRANSFERRED_IN, actor=actor, at=now, to_state=S.ACTIVE, note=transfer.from_org.name
    )
    transfer.state, transfer.decided_at, transfer.decided_by = T.ACKNOWLEDGED, now, actor
    transfer.new_membership = new
    transfer.save()
    _tell_member(
        new,
        _("Your check-in was acknowledged. Your card now shows your new organisation."),
        url=_card_url(new),
        sms=True,
    )
    _tell_officers(
        transfer.from_org,
        _("A member's transfer to %(org)s was acknowledged; they are no longer on your roll."),
        {"org": transfer.to_org.name},
        url=_org_url(transfer.from_org) + "#outgoing",
    )
    events.publish(
        "membership.transferred",
        transfer_id=transfer.pk,
        family=transfer.family,
        from_org_id=transfer.from_org_id,
        to_org_id=transfer.to_org_id,
    )
    return transfer


@transaction.atomic
def transfer_decline(*, actor, transfer_id: int, reason: str) -> Transfer:
    """The receiving organisation cannot take the member (wrong branch…): the membership
    stays where it was and the member is told why."""
    transfer = _lock_transfer(transfer_id)
    _decidable(actor, transfer)
    reason = _reason(reason)
    now = timezone.now()
    transfer.state, transfer.decided_at, transfer.decided_by, transfer.reason = (
        T.DECLINED,
        now,
        actor,
        reason,
    )
    transfer.save()
    _record(transfer.membership, A.TRANSFER_DECLINED, actor=actor, at=now, note=reason)
    _tell_member(
        transfer.membership,
        _("Your check-in was declined: %(reason)s Your membership stays where it was."),
        {"reason": reason},
        url=_card_url(transfer.membership),
    )
    return transfer


@transaction.atomic
def transfer_cancel(*, user, transfer_id: int) -> Transfer:
    transfer = _lock_transfer(transfer_id)
    if not perms.owns(user, transfer.membership):
        raise NotFound()
    if transfer.state != T.PENDING:
        raise Conflict(
            _("This check-in is already %(state)s.") % {"state": transfer.get_state_display()}
        )
    now = timezone.now()
    transfer.state, transfer.decided_at = T.CANCELLED, now
    transfer.save(update_fields=["state", "decided_at"])
    _record(transfer.membership, A.TRANSFER_CANCELLED, actor=user, at=now)
    return transfer


# --- the deadline sweep ---------------------------------------------------------------------


@dataclass
class SweepResult:
    reminded: int = 0
    escalated: int = 0


def _claim(qs, field: str, now, batch: int) -> list[tuple[int, int]]:
    """Claim up to `batch` pending transfers by stamping `field`; (id, receiving org id).
    SKIP LOCKED (PostgreSQL) and a conditional stamp: two sweeps never act on one row twice."""
    rows = list(
        qs.filter(**{f"{field}__isnull": True})
        .select_for_update(skip_locked=True)
        .order_by("due_at", "id")
        .values_list("id", "to_org_id")[:batch]
    )
    if not rows:
        return []
    ids = [r[0] for r in rows]
    Transfer.objects.filter(id__in=ids, **{f"{field}__isnull": True}).update(**{field: now})
    claimed = set(Transfer.objects.filter(id__in=ids, **{field: now}).values_list("id", flat=True))
    return [r for r in rows if r[0] in claimed]


def _per_org(claimed) -> dict[int, int]:
    counts: dict[int, int] = {}
    for _id, org_id in claimed:
        counts[org_id] = counts.get(org_id, 0) + 1
    return counts


def _sweep_batch(kind: str, qs, field: str, now, batch: int) -> int:
    with transaction.atomic():
        claimed = _claim(qs, field, now, batch)
        if not claimed:
            return 0
        counts = _per_org(claimed)
        orgs = Organisation.objects.in_bulk(list(counts))
        for org_id, n in counts.items():
            org = orgs[org_id]
            if kind == "remind":
                message = _(
                    "%(n)s check-ins at %(org)s must be acknowledged by the end of the next working day."
                )
            else:
                message = _(
                    "%(n)s check-ins at %(org)s are overdue and were escalated to the city."
                )
            _tell_officers(
                org, message, {"n": n, "org": org.name}, url=_org_url(org) + "#transfers"
            )
        if kind == "escalate":
            notify_many(
                users=accounts.users_holding(Role.CITY_ADMIN),
                message=_(
                    "%(n)s check-ins were not acknowledged in time and are escalated to the city."
                ),
                params={"n": len(claimed)},
                url=reverse("membership:escalations"),
                verb="membership",
            )
        return len(claimed)


def transfer_sweep(*, now=None, batch: int = 1000) -> SweepResult:
    """One pass over pending check-ins: a reminder to the receiving officers one working day
    before the deadline, and escalation to the city (supervision) once it has passed.
    Notices are digests: one per organisation (and one to the city) per batch."""
    now = _now(now)
    remind_until = end_of_day(add_working_days(local_date(now), 1))
    pending = Transfer.objects.filter(state=T.PENDING)
    plans = [
        ("remind", pending.filter(due_at__gt=now, due_at__lte=remind_until), "reminded_at"),
        ("escalate", pending.filter(due_at__lt=now), "escalated_at"),
    ]
    result = SweepResult()
    for kind, qs, field in plans:
        total = 0
        while True:
            n = _sweep_batch(kind, qs, field, now, batch)
            total += n
            if n < batch:
                break
        if kind == "remind":
            result.reminded = total
        else:
            result.escalated = total
    return result


# --- grid members (兼职网格员) -------------------------------------------------------------


@transaction.atomic
def roster_for(*, community) -> Organisation:
    """The community's grid-member roster, created the first time it is needed."""
    code = f"grid-{community.code}"
    org = Organisation.objects.filter(code=code).first()
    if org is not None:
        return org
    org = Organisation.objects.create(
        code=code,
        name=f"{community.name} · 兼职网格员名册",
        kind=Organisation.Kind.GRID_ROSTER,
        family=Family.GRID,
        community=community,
        subdistrict=community.subdistrict,
        district=community.subdistrict.district,
        accepts_members=False,
    )
    org.path = f"/{org.pk}/"
    org.save(update_fields=["path"])
    return org


def _grid_record(appointment, action, *, actor, at, note=""):
    AppointmentEvent.objects.create(
        appointment=appointment,
        at=at,
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        note=note[:MAX_TEXT],
    )


@transaction.atomic
def grid_appoint(*, actor, community, worker, grid: str = "") -> GridAppointment:
    """A community proposes a worker as a part-time grid member; it starts when they agree."""
    roster = roster_for(community=community)
    if not perms.can_appoint_in(actor, community.pk, roster):
        raise NotAllowed()
    if worker is None or not perms.is_worker(worker):
        raise Invalid(_("Only registered workers can be grid members."), field="worker")
    if worker.pk == actor.pk:
        raise NotAllowed(_("You cannot appoint yourself."))
    grid = (grid or "").strip()
    if len(grid) > 100 or "\x00" in grid:
        raise Invalid(_("Keep the grid's name under 100 characters."), field="grid")
    if GridAppointment.objects.filter(
        roster=roster, user=worker, state__in=LIVE_APPOINTMENT_STATES
    ).exists():
        raise Conflict(_("This worker is already on the community's roster."))
    now = timezone.now()
    appointment = GridAppointment.objects.create(
        roster=roster,
        community=community,
        user=worker,
        grid=grid,
        proposed_at=now,
        proposed_by=actor,
    )
    _grid_record(appointment, "proposed", actor=actor, at=now, note=grid)
    notify(
        user=worker,
        message=_(
            "%(community)s asks you to be a part-time grid member. Open this to agree or decline."
        ),
        params={"community": community.name},
        url=reverse("membership:appointment", args=[appointment.pk]),
        verb="membership",
        sms=True,
    )
    return appointment


def _lock_appointment(appointment_id) -> GridAppointment:
    appointment = (
        GridAppointment.objects.select_for_update()
        .select_related("roster", "community")
        .filter(pk=appointment_id)
        .first()
    )
    if appointment is None:
        raise NotFound()
    return appointment


@transaction.atomic
def grid_consent(*, user, appointment_id: int, accept: bool) -> GridAppointment:
    """The worker agrees (the appointment starts) or declines; nothing starts without consent."""
    appointment = _lock_appointment(appointment_id)
    if appointment.user_id != user.pk:
        raise NotFound()
    if appointment.state != G.PROPOSED:
        raise Conflict(
            _("This appointment is %(state)s; that step is not possible now.")
            % {"state": appointment.get_state_display()}
        )
    now = timezone.now()
    if accept:
        appointment.state, appointment.started_at = G.ACTIVE, now
    else:
        appointment.state, appointment.ended_at = G.DECLINED, now
    appointment.save()
    _grid_record(appointment, "consented" if accept else "declined", actor=user, at=now)
    if appointment.proposed_by_id:
        notify_many(
            users=_users([appointment.proposed_by_id]),
            message=(
                _("A worker agreed to be a grid member of %(community)s.")
                if accept
                else _("A worker declined to be a grid member of %(community)s.")
            ),
            params={"community": appointment.community.name},
            url=reverse("membership:roster", args=[appointment.community_id]),
            verb="membership",
        )
    return appointment


def _grid_step(*, actor, appointment_id, allowed_from, to_state, action, reason):
    appointment = _lock_appointment(appointment_id)
    if not perms.can_appoint_in(actor, appointment.community_id, appointment.roster):
        raise NotAllowed()
    if appointment.state not in allowed_from:
        raise Conflict(
            _("This appointment is %(state)s; that step is not possible now.")
            % {"state": appointment.get_state_display()}
        )
    now = timezone.now()
    appointment.state, appointment.reason = to_state, reason
    if to_state == G.ENDED:
        appointment.ended_at = now
    appointment.save()
    _grid_record(appointment, action, actor=actor, at=now, note=reason)
    notify(
        user=appointment.user,
        message=_("Your grid-member appointment in %(community)s is now: %(state)s."),
        params={"community": appointment.community.name, "state": appointment.get_state_display()},
        url=reverse("membership:grid"),
        verb="membership",
    )
    return appointment


@transaction.atomic
def grid_suspend(*, actor, appointment_id: int, reason: str) -> GridAppointment:
    return _grid_step(
        actor=actor,
        appointment_id=appointment_id,
        allowed_from=(G.ACTIVE,),
        to_state=G.SUSPENDED,
        action="suspended",
        reason=_reason(reason),
    )


@transaction.atomic
def grid_reinstate(*, actor, appointment_id: int) -> GridAppointment:
    return _grid_step(
        actor=actor,
        appointment_id=appointment_id,
        allowed_from=(G.SUSPENDED,),
        to_state=G.ACTIVE,
        action="reinstated",
        reason="",
    )


@transaction.atomic
def grid_end(*, actor, appointment_id: int, reason: str) -> GridAppointment:
    return _grid_step(
        actor=actor,
        appointment_id=appointment_id,
        allowed_from=(G.PROPOSED, G.ACTIVE, G.SUSPENDED),
        to_state=G.ENDED,
        action="ended",
        reason=_reason(reason),
    )


# --- registry yes/no checks ------------------------------------------------------------------


def normalise_id_number(value: str) -> str | None:
    """The ID number in canonical form, or None when it cannot be one (the row answers 'invalid')."""
    number = "".join(str(value or "").split()).upper()
    if len(number) == 18 and number[:17].isdigit() and (number[17].isdigit() or number[17] == "X"):
        return number
    if len(number) == 15 and number.isdigit():  # first-generation numbers still in old records
        return number
    return None


def _question(question: str, organisation, actor) -> Registry | None:
    """The registry that answers `question` (None: Yizhan's own records)."""
    if question in registries.LOCAL_QUESTIONS:
        if question == registries.MEMBER_OF:
            if organisation is None:
                raise Invalid(_("Choose the organisation to ask about."), field="organisation")
            if organisation.family in SENSITIVE_FAMILIES:
                raise NotAllowed(
                    _(
                        "Union and party membership are sensitive personal information; registry questions cannot ask about them."
                    )
                )
        return None
    registry = Registry.objects.filter(question=question, active=True).exclude(kind="local").first()
    if registry is None:
        raise Invalid(_("No registry answers this question."), field="question")
    return registry


def registry_check(
    *,
    actor,
    question: str,
    id_numbers: list[str],
    purpose: str,
    legal_basis: str,
    organisation: Organisation | None = None,
    channel: str = "page",
) -> list[bool | None]:
    """Answer yes/no per ID number (None for a row that is not an ID number) and log the
    question with its purpose and legal basis. The answer carries nothing but the booleans."""
    if not perms.can_query_registry(actor):
        raise NotAllowed()
    errors: dict[str, list] = {}
    for field, text in (("purpose", purpose), ("legal_basis", legal_basis)):
        text = (text or "").strip()
        if not text:
            errors[field] = [
                _("Required: every question is logged with its purpose and legal basis.")
            ]
        elif len(text) > 200 or "\x00" in text:
            errors[field] = [_("Keep it under 200 characters.")]
    if not id_numbers:
        errors["id_numbers"] = [_("Give at least one ID number.")]
    elif len(id_numbers) > MAX_REGISTRY_ROWS:
        errors["id_numbers"] = [_("At most 100,000 ID numbers per question.")]
    if errors:
        raise Invalid(fields=errors)
    registry = _question(question, organisation, actor)
    normalised = [normalise_id_number(v) for v in id_numbers]
    valid = [n for n in normalised if n is not None]
    indexes = [blind_index(n) for n in valid]
    adapter = registries.adapter_for(
        registry, purpose=purpose.strip(), legal_basis=legal_basis.strip()
    )
    digest = hashlib.sha256("\n".join(sorted(indexes)).encode()).hexdigest()
    log = RegistryQuery(
        at=timezone.now(),
        asked_by=actor,
        department_id=min(perms.department_ids(actor), default=None),
        registry=registry,
        question=question,
        organisation=organisation if question == registries.MEMBER_OF else None,
        purpose=purpose.strip(),
        legal_basis=legal_basis.strip(),
        rows=len(id_numbers),
        yes=0,
        digest=digest,
        channel=channel[:10],
    )
    try:
        answers = (
            adapter.answer(
                question=question, id_numbers=valid, indexes=indexes, organisation=organisation
            )
            if valid
            else []
        )
    except registries.RegistryUnavailable:
        log.channel = "failed"
        log.save()  # the hashes left: the attempt is on record even without an answer
        raise
    it = iter(answers)
    result: list[bool | None] = [None if n is None else bool(next(it)) for n in normalised]
    log.yes = sum(1 for a in result if a)
    log.save()
    return result


# --- a person's data (PIPL arts. 45 and 47) ---------------------------------------------------


def export_for(user) -> dict:
    from yizhan.membership import selectors

    return selectors.personal_data(user)


def erase_for(user) -> int:
    """End the person's live memberships and appointments and cut every link to them; the
    rows stay (counts, numbers of organisations) but point at nobody."""
    index = person_index(user.pk)
    now = timezone.now()
    touched = 0
    for membership in Membership.objects.select_for_update().filter(person_index=index):
        if membership.state in LIVE_STATES:
            _cancel_pending_transfers(membership, actor=None, note="erased", now=now)
            _record(membership, A.ERASED, at=now, from_state=membership.state, to_state=S.ENDED)
            membership.state, membership.decided_at = S.ENDED, now
        membership.person = ""
        membership.person_index = blind_index(f"erased:{membership.pk}")
        membership.id_index = ""
        membership.employer = None
        membership.reason = "erased"
        membership.save()
        touched += 1
    touched += SensitiveConsent.objects.filter(person_index=index).delete()[0]
    touched += GridAppointment.objects.filter(user=user, state__in=LIVE_APPOINTMENT_STATES).update(
        state=G.ENDED, ended_at=now, reason="erased"
    )
    touched += Officer.objects.filter(user=user).delete()[0]
    return touched
