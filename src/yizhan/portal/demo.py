"""Demo data for the dashboards: a district officer's login, planning inputs (candidate sites
and delivery hot spots) and the first rollup, so the dashboards have figures at once."""

import datetime as dt
import random

from django.conf import settings

from yizhan.accounts.demo import demo_password_hash
from yizhan.accounts.models import Role, RoleAssignment, User
from yizhan.core.pii import blind_index
from yizhan.places.models import Community, District
from yizhan.portal import services
from yizhan.portal.dashboards import rollups
from yizhan.portal.models import ActivitySpot, CandidateSite

DISTRICT_OFFICER_MOBILE = "13900000008"


def seed_dashboards(*, rng_seed: int = 18) -> None:
    rng = random.Random(rng_seed)
    district = District.objects.filter(code="620102").first() or District.objects.first()
    if (
        district
        and not User.objects.filter(mobile_index=blind_index(DISTRICT_OFFICER_MOBILE)).exists()
    ):
        user = User.objects.create(
            mobile=DISTRICT_OFFICER_MOBILE,
            mobile_index=blind_index(DISTRICT_OFFICER_MOBILE),
            name="城关区社工部干部",
            password=demo_password_hash(),
        )
        RoleAssignment.objects.create(user=user, role=Role.DISTRICT_OFFICER, district=district)
    communities = list(
        Community.objects.exclude(centroid_lat=None)
        .filter(subdistrict__district__code__in=["620102", "620103", "620104", "620105"])
        .order_by("code")
    )
    if communities and not CandidateSite.objects.exists():
        picked = rng.sample(communities, min(40, len(communities)))
        CandidateSite.objects.bulk_create(
            CandidateSite(
                name=f"{c.name}服务中心" if i % 2 else f"{c.name}银行网点",
                kind="community_centre" if i % 2 else "bank",
                lat=round(c.centroid_lat + rng.uniform(-0.002, 0.002), 6),
                lng=round(c.centroid_lng + rng.uniform(-0.002, 0.002), 6),
            )
            for i, c in enumerate(picked)
        )
        hot = rng.sample(communities, min(60, len(communities)))
        ActivitySpot.objects.bulk_create(
            ActivitySpot(
                label=f"{c.name}商圈",
                lat=round(c.centroid_lat + rng.uniform(-0.003, 0.003), 6),
                lng=round(c.centroid_lng + rng.uniform(-0.003, 0.003), 6),
                weekday=rng.randrange(7),
                hour=rng.choice([11, 12, 13, 17, 18, 19, 21, 22]),
                weight=rng.randint(5, 80),
            )
            for c in hot
            for _ in range(3)
        )
    # The first rollup from the first day the city has facts for: the same rows as from the
    # start of the history window, without asking every app about two years of empty months.
    today = rollups.local_today()
    history = today - dt.timedelta(days=settings.DASHBOARD_HISTORY_DAYS)
    services.dashboard_refresh(
        force=True, since=rollups.first_day_with_facts(start=history, end=today)
    )
    services.monthly_reports_generate()
