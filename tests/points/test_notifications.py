"""Who the bank tells, and in whose language: a worker hears about the answer to their wish;
the keepers of the pick-up station hear that an item is to be prepared, and no one else."""

from django.utils import translation

from tests.conftest import make_user
from tests.points.conftest import give
from yizhan.core.models import Notification
from yizhan.points import services


def notes(user, verb):
    return list(Notification.objects.filter(recipient=user, verb=verb))


def test_the_worker_hears_the_answer_to_each_wish_in_their_language(bank):
    bank.alice.language = "en"
    bank.alice.save()
    a = services.wish_submit(worker=bank.alice, title="雨衣")
    b = services.wish_submit(worker=bank.alice, title="电动车")
    c = services.wish_submit(worker=bank.alice, title="书包")
    services.wish_catalogue(by=bank.adam, wish_id=a.pk, price=12, stock=3, stations=[bank.station])
    services.wish_fulfil(by=bank.adam, wish_id=b.pk, answer="工会赠送")
    services.wish_decline(by=bank.adam, wish_id=c.pk, reason="超出范围")
    told = notes(bank.alice, "points.wish")
    assert len(told) == 3 and all(n.url == "/points/wishes/" for n in told)
    with translation.override("en"):
        texts = sorted(n.render() for n in told)
    assert texts == [
        "Your wish “书包” was declined: 超出范围",
        "Your wish “电动车” is granted: 工会赠送",
        "Your wish “雨衣” is in the catalogue for 12 points.",
    ]
    with translation.override("zh-hans"):
        assert "已上架" in next(n for n in told if n.params["wish"] == "雨衣").render()


def test_the_keepers_of_the_pick_up_station_are_told_to_prepare_the_item(bank, helmet):
    other_keeper = make_user(
        "13900000025",
        "别站站长",
        role="station_keeper",
        scope_field="station",
        scope=bank.station,
    )
    give(bank, 100)
    services.redemption_create(worker=bank.alice, item_id=helmet.pk, station_id=bank.station.pk)
    for keeper in (bank.kim, other_keeper):
        (note,) = notes(keeper, "points.pick_up")
        with translation.override("zh-hans"):
            assert "头盔" in note.render() and "甲工会驿站" in note.render()
        assert note.url == "/points/keeper/"
    assert not Notification.objects.filter(verb="points.pick_up").exclude(
        recipient__in=[bank.kim, other_keeper]
    )
