"""Union and party membership are sensitive personal information (PIPL art. 28): separate
consent, encrypted links, visible only to the organisation's officers and the person, audited
reads, in the person's export and gone with their erasure."""

import json

from django.db import connection
from django.urls import reverse

from yizhan.accounts import services as accounts
from yizhan.core.models import AuditLog
from yizhan.membership import selectors, services
from yizhan.membership.models import Membership, Officer, SensitiveConsent


def test_the_database_does_not_link_a_member_to_a_person_in_clear(world, city):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT person, person_index FROM membership_membership WHERE id = %s",
            [world.alice_card.pk],
        )
        person, index = cursor.fetchone()
    assert person.startswith("gAAAA")  # a Fernet token
    assert index not in (str(city.alice.pk), f"member:{city.alice.pk}") and len(index) == 64
    assert world.alice_card.user_id == city.alice.pk  # the application reads it back


def test_member_notifications_do_not_name_a_sensitive_organisation(world, city):
    texts = json.dumps(
        list(city.alice.notifications.values("message", "params")), ensure_ascii=False
    )
    assert "工会" not in texts


def test_only_the_organisations_officers_see_its_members(world, city, login):
    url = reverse("membership:members", args=[world.cg_union.pk])
    assert "王**" in login(world.cora).get(url).content.decode()
    assert "王**" in login(world.fay).get(url).content.decode()  # the federation above it
    assert login(world.quinn).get(url).status_code == 403  # another branch
    assert login(city.adam).get(url).status_code == 403  # the city sees counts, not members
    assert login(city.alice).get(url).status_code == 403


def test_the_city_may_list_a_volunteer_teams_members(world, city, login):
    assert (
        login(city.adam).get(reverse("membership:members", args=[world.bees.pk])).status_code == 200
    )


def test_opening_a_union_members_record_is_audited_and_revealing_needs_a_reason(world, city, login):
    client = login(world.cora)
    url = reverse("membership:member", args=[world.alice_card.pk])
    page = client.get(url).content.decode()
    assert "王**" in page and "138****0001" in page and "王小川" not in page
    read = AuditLog.objects.get(actor=world.cora, action="pii_read")
    assert read.subject_id == str(world.alice_card.pk) and read.fields == "membership"
    revealed = client.post(url, {"reason": "核对会费缴纳"}).content.decode()
    assert "王小川" in revealed and "13800000001" in revealed
    assert AuditLog.objects.filter(
        actor=world.cora, reason="核对会费缴纳", fields="name,mobile"
    ).exists()


def test_the_person_exports_their_memberships(world, city):
    data = accounts.my_data_export(user=city.alice)
    mine = data["membership"]
    assert mine["memberships"][0]["organisation"] == "城关区新就业形态劳动者工会联合会"
    assert mine["memberships"][0]["number"] == world.alice_card.number
    assert mine["consents"][0]["family"] == "union"


def test_erasure_ends_memberships_and_cuts_every_link(world, city):
    services.check_in(user=city.alice, organisation=world.qlh_union)
    Officer.objects.create(organisation=world.bees, user=city.alice)
    from yizhan.core import personal_data

    personal_data.erase_all(city.alice)
    card = Membership.objects.get(pk=world.alice_card.pk)
    assert card.state == "ended" and card.person == "" and card.id_index == ""
    assert selectors.my_memberships(city.alice) == []
    assert not SensitiveConsent.objects.exists()
    assert not Officer.objects.filter(user=city.alice).exists()
    assert card.transfers.get().state == "cancelled"
    personal_data.erase_all(city.alice)  # idempotent
