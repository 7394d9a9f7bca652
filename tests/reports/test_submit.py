import datetime as dt

import pytest
from django.utils import timezone

from tests.reports.conftest import IN_A, IN_B, OUTSIDE, make_jpeg
from yizhan.core.errors import Invalid, Throttled
from yizhan.core.geo import wgs84_to_gcj02
from yizhan.core.images import process_photo
from yizhan.reports import selectors, services
from yizhan.reports.models import Category, Photo, Report


def submit(city, category, point=IN_A, **kw):
    kw.setdefault("photos", [make_jpeg(seed=kw.pop("seed", 1))])
    return services.report_submit(
        reporter=city.alice, category=category, lat=point[0], lng=point[1], **kw
    )


def test_report_goes_to_the_community_that_contains_the_spot(city, wire):
    report = submit(city, wire).report
    assert report.community == city.community_a
    assert report.department is None
    assert report.state == "submitted"
    assert report.history.get().action == "submitted"
    assert report.followers.filter(user=city.alice).exists()


def test_photo_is_stored_without_gps_and_other_exif(city, wire):
    report = submit(city, wire, photos=[make_jpeg(gps=(36.02, 103.82))]).report
    stored = report.photos.get().image.read()
    assert b"PhoneMaker" not in stored and b"GPS" not in stored
    assert process_photo(report.photos.get().image.open()).gps is None


def test_gcj02_spot_from_the_map_is_stored_as_wgs84(city, wire):
    lng, lat = wgs84_to_gcj02(IN_B[1], IN_B[0])
    report = submit(city, wire, point=(lat, lng), crs="gcj02").report
    assert report.community == city.community_b
    assert report.lat == pytest.approx(IN_B[0], abs=1e-6)


def test_department_owned_category_goes_to_that_department(city, street_light):
    street_light.department = city.labour
    street_light.save()
    report = submit(city, street_light).report
    assert report.department == city.labour


def test_outside_every_community_goes_to_the_city(city, wire):
    report = submit(city, wire, point=OUTSIDE).report
    assert report.routed_to_city


def test_photo_gps_is_used_only_with_consent(city, wire):
    gps_photo = lambda: [make_jpeg(gps=IN_B, seed=4)]  # noqa: E731
    with pytest.raises(Invalid) as exc:
        services.report_submit(
            reporter=city.alice, category=wire, lat=None, lng=None, photos=gps_photo()
        )
    assert "location" in exc.value.fields
    report = services.report_submit(
        reporter=city.alice,
        category=wire,
        lat=None,
        lng=None,
        photos=gps_photo(),
        use_photo_location=True,
    ).report
    assert report.community == city.community_b


def test_retry_with_the_same_key_creates_one_report(city, wire):
    first = submit(city, wire, client_key="k-1")
    again = submit(city, wire, client_key="k-1")
    assert first.created and not again.created
    assert again.report.pk == first.report.pk
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [{"seed": 2}, {"description": "另一处"}, {"point": IN_B}],
    ids=["other-photo", "other-text", "other-spot"],
)
def test_the_same_key_with_a_different_report_is_a_conflict(city, wire, change):
    from yizhan.core.idempotency import IdempotencyKeyReused

    submit(city, wire, client_key="k-1")
    with pytest.raises(IdempotencyKeyReused):
        submit(city, wire, client_key="k-1", **change)
    assert Report.objects.count() == 1


@pytest.mark.parametrize(
    ("kw", "field"),
    [
        ({"photos": []}, "photos"),
        ({"point": (91.0, 103.8)}, "location"),
        ({"point": (36.0, 200.0)}, "location"),
        ({"point": (float("nan"), 103.8)}, "location"),
        ({"description": "x" * 501}, "description"),
        ({"description": "电线\x00"}, "description"),
        ({"client_key": "k" * 65}, "idempotency_key"),
        ({"category": None}, "category"),
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(city, wire, kw, field):
    if "category" in kw:
        wire = kw.pop("category")
    with pytest.raises(Invalid) as exc:
        submit(city, wire, **kw)
    assert field in exc.value.fields
    assert not Report.objects.exists()
    assert not Photo.objects.exists()


def test_a_bad_photo_among_good_ones_stores_nothing(city, wire):
    from django.core.files.uploadedfile import SimpleUploadedFile

    bad = SimpleUploadedFile("x.jpg", b"nope" * 100)
    with pytest.raises(Invalid):
        submit(city, wire, photos=[make_jpeg(), bad])
    assert not Photo.objects.exists()


def test_daily_limit_per_worker(city, street_light, settings):
    settings.REPORTS_DAILY_LIMIT = 2
    for i in range(2):
        submit(city, street_light, photos=[], description=str(i))
    with pytest.raises(Throttled) as exc:
        submit(city, street_light, photos=[])
    assert "每日上限" in str(exc.value)
    # Until local midnight (the test clock stands at Tuesday 10:00 in Shanghai).
    assert 14 * 3600 - 60 < exc.value.retry_after <= 14 * 3600


def test_nearby_open_reports_of_the_same_category_are_found(city, wire, street_light):
    near = submit(city, wire).report
    submit(city, street_light, photos=[])  # other category
    far = submit(city, wire, point=(36.03, 103.82), seed=3).report  # ~1.1 km away
    found = selectors.nearby_open(category=wire, lat=IN_A[0] + 0.0005, lng=IN_A[1])
    assert [r.pk for r in found] == [near.pk]
    assert 50 <= found[0].distance_m <= 60
    assert far.pk not in [r.pk for r in found]


def test_nearby_ignores_old_and_closed_reports(city, wire):
    old = submit(city, wire).report
    Report.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=31))
    closed = submit(city, wire, seed=5).report
    Report.objects.filter(pk=closed.pk).update(state="closed")
    assert selectors.nearby_open(category=wire, lat=IN_A[0], lng=IN_A[1]) == []


def test_reused_photo_is_flagged(city, wire):
    first = submit(city, wire, seed=7).report
    second = submit(city, wire, seed=7, point=(36.021, 103.821)).report
    assert not first.photo_reused
    assert second.photo_reused


def test_due_date_counts_working_days_from_the_day_it_arrived(city):
    category = Category.objects.get(code="bulky-rubbish")  # 3 working days
    moment = timezone.make_aware(dt.datetime(2026, 9, 30, 15, 0))  # Wed, before National Day
    report = services.report_submit(
        reporter=city.alice,
        category=category,
        lat=IN_A[0],
        lng=IN_A[1],
        photos=[make_jpeg()],
        now=moment,
    ).report
    assert timezone.localtime(report.due_at).isoformat() == "2026-10-10T23:59:59+08:00"
