"""The pages, as people use them: a worker's cards and one-tap check-in on a phone, the
officers' console, the city's coverage; each view checks role and scope."""

from django.urls import reverse

from tests.conftest import make_user
from yizhan.accounts.models import Role, RoleAssignment
from yizhan.membership import services
from yizhan.membership.models import Membership, Officer, Organisation, Transfer
from yizhan.membership.rules import card_token, join_token
from yizhan.orgs.models import Employer


def test_my_membership_shows_the_card_with_its_number(world, city, login):
    page = login(city.alice).get(reverse("membership:mine")).content.decode()
    assert world.alice_card.number in page and "城关区新就业形态劳动者工会联合会" in page


def test_the_card_page_has_a_qr_code_that_verifies_the_card(world, city, login):
    client = login(city.alice)
    card = client.get(reverse("membership:card", args=[world.alice_card.pk])).content.decode()
    assert reverse("membership:card_qr", args=[world.alice_card.pk]) in card
    svg = client.get(reverse("membership:card_qr", args=[world.alice_card.pk]))
    assert svg["Content-Type"] == "image/svg+xml" and b"<svg" in svg.content
    number = world.alice_card.number
    ok = login(city.kim).get(reverse("membership:card_verify", args=[number, card_token(number)]))
    assert (
        "城关区新就业形态劳动者工会联合会" in ok.content.decode() and "王**" in ok.content.decode()
    )
    forged = login(city.kim).get(reverse("membership:card_verify", args=[number, "0" * 20]))
    assert "城关区" not in forged.content.decode()


def test_another_worker_cannot_open_my_card(world, city, login):
    client = login(world.bob)
    assert client.get(reverse("membership:card", args=[world.alice_card.pk])).status_code == 404
    assert client.get(reverse("membership:card_qr", args=[world.alice_card.pk])).status_code == 404


def test_applying_on_the_page_needs_the_consent_box_for_a_union(world, login):
    client = login(world.bob)
    url = reverse("membership:organisation", args=[world.qlh_union.code])
    refused = client.post(url, {})
    assert (
        refused.status_code == 200
        and not Membership.objects.filter(organisation=world.qlh_union).exists()
    )
    done = client.post(url, {"consent": "on"})
    m = Membership.objects.get(organisation=world.qlh_union)
    assert done["Location"] == reverse("membership:card", args=[m.pk]) and m.via == "app"


def test_joining_by_scanning_the_organisations_qr_code(world, login):
    client = login(world.bob)
    url = reverse("membership:organisation", args=[world.bees.code])
    token = join_token(world.bees.code)
    assert client.get(f"{url}?t={token}").status_code == 200
    client.post(url, {"token": token})
    assert Membership.objects.get(organisation=world.bees).via == "qr"


def test_check_in_in_one_tap_from_the_station_page(world, city, login):
    client = login(city.alice)
    found = client.get(reverse("membership:check_in") + "?code=S7")
    assert found["Location"] == reverse("membership:at_station", args=["S7"])
    page = client.get(found["Location"]).content.decode()
    assert "七里河区新就业形态劳动者工会联合会" in page
    tapped = client.post(found["Location"], {"organisation": world.qlh_union.pk, "key": "k1"})
    transfer = Transfer.objects.get()
    assert tapped["Location"] == reverse("membership:transfer", args=[transfer.pk])
    assert transfer.station == world.s7
    assert "2026-11-27" in client.get(tapped["Location"]).content.decode()


def test_nearby_stations_come_from_the_shared_location(world, city, login):
    page = login(city.alice).get(reverse("membership:check_in") + "?lat=36.05&lng=103.75")
    assert "西园工会驿站" in page.content.decode()


def test_a_refused_check_in_is_a_message_on_the_same_page(world, city, login):
    client = login(city.alice)
    url = reverse("membership:at_station", args=["S1"])
    response = client.post(url, {"organisation": world.cg_party.pk}, HTTP_REFERER=url, follow=True)
    assert response.redirect_chain[-1][0] == url
    assert not Transfer.objects.exists()


def test_the_officer_approves_and_acknowledges_from_the_console(world, city, login):
    application = services.membership_apply(
        user=world.bob, organisation=world.qlh_union, consent=True
    )
    transfer, _ = services.check_in(user=city.alice, organisation=world.qlh_union)
    client = login(world.quinn)
    console = client.get(reverse("membership:console")).content.decode()
    assert "七里河区新就业形态劳动者工会联合会" in console
    org = client.get(reverse("membership:org", args=[world.qlh_union.pk])).content.decode()
    assert "李**" in org and "王**" in org and "2026-11-27" in org
    client.post(reverse("membership:approve", args=[application.pk]))
    client.post(reverse("membership:acknowledge", args=[transfer.pk]))
    application.refresh_from_db()
    transfer.refresh_from_db()
    assert application.state == "active" and transfer.state == "acknowledged"


def test_self_approval_on_the_page_is_a_clear_message(world, city, login):
    Officer.objects.create(organisation=world.bees, user=world.bob)
    application = services.membership_apply(user=world.bob, organisation=world.bees)
    client = login(world.bob)
    back = reverse("membership:org", args=[world.bees.pk])
    response = client.post(
        reverse("membership:approve", args=[application.pk]), HTTP_REFERER=back, follow=True
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.state == "pending"


def test_people_without_a_post_cannot_open_the_console(world, city, login):
    assert login(city.dora).get(reverse("membership:console")).status_code == 403
    assert (
        login(city.alice).get(reverse("membership:org", args=[world.cg_union.pk])).status_code
        == 403
    )
    assert (
        login(world.quinn).get(reverse("membership:org", args=[world.cg_union.pk])).status_code
        == 403
    )


def test_the_grid_officer_sees_the_roster_in_the_console(world, city, login):
    services.roster_for(community=city.community_a)
    page = login(city.grace).get(reverse("membership:console")).content.decode()
    assert "甲社区" in page


def test_coverage_counts_members_and_employers_per_district(world, city, login):
    employer = Employer.objects.create(
        name="陇上快送城关站", credit_code="91620100000000001X", district=city.district
    )
    Employer.objects.create(
        name="七里河配送站", credit_code="91620100000000002X", district=world.qilihe
    )
    from yizhan.accounts.models import WorkerProfile

    WorkerProfile.objects.filter(user=world.bob).update(employer=employer)
    world.bob.worker.refresh_from_db()
    m = services.membership_apply(user=world.bob, organisation=world.qlh_union, consent=True)
    services.membership_approve(actor=world.quinn, membership_id=m.pk)
    from yizhan.membership import selectors

    rows = {r["district"].name: r for r in selectors.coverage_by_district()}
    assert (
        rows["城关区"]["workers"],
        rows["城关区"]["members"],
        rows["城关区"]["members_pct"],
    ) == (1, 1, 100.0)
    assert (rows["七里河区"]["workers"], rows["七里河区"]["members"]) == (1, 1)
    assert (rows["城关区"]["employers"], rows["城关区"]["covered"]) == (1, 1)
    assert (rows["七里河区"]["employers"], rows["七里河区"]["covered"]) == (1, 0)
    page = login(city.adam).get(reverse("membership:coverage")).content.decode()
    assert "coverage-data" in page and "七里河区" in page
    assert login(city.alice).get(reverse("membership:coverage")).status_code == 403


def test_a_district_officer_reads_only_their_districts_coverage(world, city, login):
    officer = make_user("13900000020", "区干部")
    RoleAssignment.objects.create(user=officer, role=Role.DISTRICT_OFFICER, district=world.qilihe)
    page = login(officer).get(reverse("membership:coverage")).content.decode()
    table = page.split("<tbody>")[1]
    assert "七里河区" in table and "城关区" not in table


def test_the_city_creates_organisations_and_officers_on_pages(world, city, login):
    client = login(city.adam)
    response = client.post(
        reverse("membership:org_new", args=[world.federation.pk]),
        {
            "kind": "union_pool",
            "name": "榆中县新就业形态劳动者会员池",
            "code": "yz-pool",
            "ack_working_days": 5,
        },
    )
    pool = Organisation.objects.get(code="yz-pool")
    assert response["Location"] == reverse("membership:org", args=[pool.pk])
    assert pool.parent == world.federation and pool.path == f"{world.federation.path}{pool.pk}/"
    wrong = client.post(
        reverse("membership:org_new", args=[world.federation.pk]),
        {"kind": "party_branch", "name": "错误", "code": "wrong", "ack_working_days": 5},
    )
    assert wrong.status_code == 200 and not Organisation.objects.filter(code="wrong").exists()
    client.post(
        reverse("membership:officers", args=[pool.pk]), {"mobile": "13800000002", "post": "chair"}
    )
    assert Officer.objects.filter(organisation=pool, user=world.bob, post="chair").exists()
    poster = login(world.bob).get(reverse("membership:org_qr", args=[pool.pk])).content.decode()
    assert "<svg" in poster and join_token("yz-pool") in poster


def test_home_tiles_follow_roles_and_posts(world, city, login):
    assert "/membership/" in login(city.alice).get("/").content.decode()
    console = 'href="/membership/staff/"'
    assert console in login(world.quinn).get("/").content.decode()
    assert console not in login(city.dora).get("/").content.decode()
