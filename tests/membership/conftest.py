"""The membership test world, on top of the shared test city (tests/conftest.py):

- a second district, 七里河区, with a subdistrict, a community and a union station S7;
- the union tree: 兰州市总工会 → 城关区 branch (officer cora) and 七里河区 branch (officer
  quinn, 3 working days to acknowledge);
- the party tree: 新兴领域党委 → 城关区 mobile-member station (officer paula);
- a volunteer team (小蜜蜂) in 城关区;
- alice (the test city's rider) is an active member of the 城关区 union branch.
"""

import datetime as dt

import pytest
from django.utils import timezone
from shapely.geometry import box

from tests.conftest import make_user
from yizhan.accounts.models import WorkerProfile
from yizhan.core.pii import blind_index
from yizhan.membership import services
from yizhan.membership.models import Officer, Organisation
from yizhan.places import services as places
from yizhan.places.geometry import to_geojson
from yizhan.places.selectors import invalidate_index
from yizhan.stations.models import Station

K = Organisation.Kind
BOB_ID = "620103199201011239"


def add_worker(mobile, name, *, district, id_number, platform=None, employer=None):
    user = make_user(mobile, name)
    WorkerProfile.objects.create(
        user=user,
        kind=WorkerProfile.Kind.DELIVERY_RIDER,
        platform=platform,
        employer=employer,
        home_district=district,
        id_number=id_number,
        id_number_index=blind_index(id_number),
        consent_version="2026-11",
        consent_at=timezone.now() - dt.timedelta(days=1),
    )
    return user


class World:
    def __init__(self, city):
        self.city = city
        adam = city.adam
        self.qilihe = places.district_create(
            code="620103", name="七里河区", boundary=to_geojson(box(103.70, 36.00, 103.80, 36.10))
        )
        self.xiyuan = places.subdistrict_create(
            district=self.qilihe,
            code="620103001",
            name="西园街道",
            boundary=to_geojson(box(103.70, 36.00, 103.80, 36.10)),
        )
        self.xiyuan_community = places.community_create(
            subdistrict=self.xiyuan,
            code="620103001001",
            name="西园社区",
            boundary=to_geojson(box(103.70, 36.00, 103.80, 36.10)),
        )
        invalidate_index()
        self.s7 = Station.objects.create(
            code="S7",
            name="西园工会驿站",
            kind="union",
            lat=36.05,
            lng=103.75,
            community=self.xiyuan_community,
        )
        self.federation = services.organisation_create(
            actor=adam, kind=K.UNION_FEDERATION, name="兰州市总工会", code="lz-union"
        )
        self.cg_union = services.organisation_create(
            actor=adam,
            kind=K.UNION_BRANCH,
            name="城关区新就业形态劳动者工会联合会",
            code="cg-union",
            parent=self.federation,
            district=city.district,
        )
        self.qlh_union = services.organisation_create(
            actor=adam,
            kind=K.UNION_BRANCH,
            name="七里河区新就业形态劳动者工会联合会",
            code="qlh-union",
            parent=self.federation,
            district=self.qilihe,
            ack_working_days=3,
        )
        self.party = services.organisation_create(
            actor=adam, kind=K.PARTY_COMMITTEE, name="新兴领域党委", code="lz-party"
        )
        self.cg_party = services.organisation_create(
            actor=adam,
            kind=K.PARTY_STATION,
            name="城关区流动党员服务站",
            code="cg-party",
            parent=self.party,
            district=city.district,
        )
        self.bees = services.organisation_create(
            actor=adam,
            kind=K.VOLUNTEER_TEAM,
            name="小蜜蜂志愿服务队第一分队",
            code="bees-1",
            station=city.station,
        )
        self.cora = make_user("13900000101", "城关工会干事")
        self.quinn = make_user("13900000102", "七里河工会干事")
        self.paula = make_user("13900000103", "党员服务站书记")
        self.fay = make_user("13900000104", "总工会干部")
        Officer.objects.create(organisation=self.cg_union, user=self.cora, post="officer")
        Officer.objects.create(organisation=self.qlh_union, user=self.quinn, post="officer")
        Officer.objects.create(organisation=self.cg_party, user=self.paula, post="secretary")
        Officer.objects.create(organisation=self.federation, user=self.fay, post="chair")
        self.bob = add_worker(
            "13800000002", "李大山", district=self.qilihe, id_number=BOB_ID, platform=city.platform
        )
        self.alice_card = self.member(city.alice, self.cg_union, self.cora)

    def member(self, user, org, officer, *, consent=True):
        membership = services.membership_apply(user=user, organisation=org, consent=consent)
        return services.membership_approve(actor=officer, membership_id=membership.pk)


@pytest.fixture(autouse=True)
def english():
    """Service tests read refusals in English (the msgids); pages are read in Chinese, the
    default, through the test client (its requests choose their own language)."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def world(city):
    return World(city)
