"""core.bulk: the prepared INSERT writes what bulk_create writes (every kind of field, a
related row saved after it was assigned, `auto_now_add`), the prepared UPDATE sets one column
per row, and both refuse what they cannot do rather than write something else; and the
dashboards' first_id_since over rows written that way."""

import datetime as dt

import pytest
from django.db.models import F
from django.utils import timezone

from yizhan.accounts.models import User
from yizhan.core import bulk
from yizhan.core.models import Notification
from yizhan.core.pii import blind_index
from yizhan.stations.models import OpeningHours, Station, StationVisit

pytestmark = pytest.mark.django_db


def visits(city, moment):
    return [
        StationVisit(
            station=city.station,
            worker=city.alice,
            at=moment + dt.timedelta(hours=h),
            hour=moment + dt.timedelta(hours=h),
            method="qr",
        )
        for h in range(3)
    ]


def rows(model, exclude=("id",)):
    names = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
    return list(model.objects.order_by("id").values_list(*names))


def test_insert_writes_the_rows_bulk_create_writes(city):
    moment = timezone.now().replace(minute=0, second=0, microsecond=0)
    StationVisit.objects.bulk_create(visits(city, moment))
    expected = rows(StationVisit)
    StationVisit.objects.all().delete()
    assert bulk.insert(visits(city, moment)) == 3
    assert rows(StationVisit) == expected


def test_insert_converts_what_is_not_plain_json_and_encrypted_text(city):
    bob = User(mobile="13700000009", mobile_index=blind_index("13700000009"), name="李四")
    bulk.insert([bob])
    stored = User.objects.get(mobile_index=blind_index("13700000009"))
    assert (stored.mobile, stored.name) == ("13700000009", "李四")  # decrypted: it was encrypted
    bulk.insert([Notification(recipient=city.alice, verb="x", params={"n": [1, "二"]})])
    assert Notification.objects.get(verb="x").params == {"n": [1, "二"]}


def test_insert_stamps_auto_now_add_and_takes_the_id_of_a_row_saved_after_assignment(city):
    station = Station(code="S9", name="新驿站", kind="union", lat=36.0, lng=103.8)
    hours = [
        OpeningHours(station=station, weekday=d, opens=dt.time(8), closes=dt.time(20))
        for d in range(7)
    ]
    station.save()  # after the rows were made: they hold the object, not yet its id
    before = timezone.now()
    bulk.insert(hours)
    bulk.insert([Notification(recipient=city.alice, verb="stamped")])
    assert OpeningHours.objects.filter(station=station).count() == 7
    assert Notification.objects.get(verb="stamped").created_at >= before


def test_insert_refuses_rows_with_ids_other_models_and_expressions(city):
    moment = timezone.now()
    given = visits(city, moment)[:1]
    given[0].pk = 12345
    with pytest.raises(ValueError, match="bulk_create"):
        bulk.insert(given)
    with pytest.raises(TypeError, match="one model"):
        bulk.insert([*visits(city, moment)[:1], Notification(recipient=city.alice)])
    computed = visits(city, moment)[:1]
    computed[0].method = F("method")
    with pytest.raises(TypeError, match="expression"):
        bulk.insert(computed)
    assert not StationVisit.objects.exists()


def test_update_sets_each_row_its_own_value(city):
    moment = timezone.now().replace(microsecond=0)
    StationVisit.objects.bulk_create(visits(city, moment))
    ids = list(StationVisit.objects.order_by("id").values_list("id", flat=True))
    wanted = [moment - dt.timedelta(days=n) for n in (5, 3, 1)]
    assert bulk.update(StationVisit, "at", zip(ids, wanted, strict=True)) == 3
    assert list(StationVisit.objects.order_by("id").values_list("at", flat=True)) == wanted
    assert bulk.update(StationVisit, "at", []) == 0


def test_first_id_since_finds_where_reading_starts(city):
    """dashboards.first_id_since: the first id worth reading for rows stamped at or after a
    moment (None when there are none); for a table that starts after it, its first row."""
    from yizhan.core.dashboards import first_id_since

    moment = timezone.now().replace(minute=0, second=0, microsecond=0)
    bulk.insert(visits(city, moment))  # stamped moment, +1 h, +2 h, in id order
    ids = list(StationVisit.objects.order_by("id").values_list("id", flat=True))
    table = StationVisit.objects.all()
    assert first_id_since(table, "at", moment - dt.timedelta(days=30)) == ids[0]
    assert first_id_since(table, "at", moment + dt.timedelta(minutes=90)) <= ids[2]
    assert first_id_since(table, "at", moment + dt.timedelta(hours=3)) is None
