"""The demo city's membership: every kind of organisation, members with cards, pending work,
one officer login per kind, a residence-permit registry — and the same every time."""

import pytest

from yizhan.demo.generator import CityGenerator
from yizhan.membership import selectors
from yizhan.membership.demo import demo_logins
from yizhan.membership.models import GridAppointment, Membership, Organisation, Registry, Transfer


@pytest.fixture
def demo_city(db):
    """The small demo city's places, organisations, stations, staff and workers (what the
    membership seeder builds on), then the seeder itself, as `CityGenerator.build` calls it."""
    from yizhan.membership.demo import seed_membership
    from yizhan.places.models import District

    city = CityGenerator(scale="small")
    communities = city.build_places()
    districts = list(District.objects.order_by("code"))
    platforms, employers = city.build_orgs(districts)
    stations = city.build_stations(communities)
    city.build_staff(communities, stations, platforms)
    city.build_workers(districts, platforms, employers)
    return seed_membership()


def test_the_demo_has_every_kind_pending_work_and_logins(demo_city, client):
    kinds = set(Organisation.objects.values_list("kind", flat=True))
    assert kinds == set(Organisation.Kind.values)
    assert Organisation.objects.filter(kind="volunteer_team", parent__code="bees").count() == 10
    assert Membership.objects.filter(state="active", family="union").count() >= 20
    assert Membership.objects.filter(state="pending").exists()
    assert Transfer.objects.filter(state="pending").count() == 15
    assert Transfer.objects.filter(escalated_at__isnull=False).exists()
    assert GridAppointment.objects.filter(state="active").exists()
    assert Registry.objects.get(code="gaj-residence").kind == "csv"
    logins = demo_logins()
    assert [m for m, _n, _o in logins] == [f"1390000010{i}" for i in range(1, 7)]
    assert all(org for _m, _n, org in logins)
    assert client.login(username="13900000102", password="Demo@2026")
    assert client.get("/membership/staff/").status_code == 200

    # The demo worker has a union card, a team card and a grid.
    from yizhan.accounts.models import User

    alice = User.objects.get_by_mobile("13800000001")
    families = {m.family for m in selectors.my_memberships(alice)}
    assert families == {"union", "team"}
    assert selectors.is_grid_member(
        alice, GridAppointment.objects.filter(user=alice).get().community_id
    )
