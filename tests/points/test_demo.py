"""The demo city comes with a sound points ledger and a demo worker with a real balance."""

from django.core.management import call_command

from yizhan.accounts.models import User
from yizhan.demo.generator import CityGenerator
from yizhan.points import selectors
from yizhan.points.models import CatalogItem, Redemption, Wish


def test_demo_city_has_points_that_verify(db, capsys):
    CityGenerator(scale="small").build()
    worker = User.objects.get_by_mobile("13800000001")
    balance = selectors.worker_balance(worker)
    assert balance["balance"] > 100 and balance["held"] == 20
    assert CatalogItem.objects.filter(price__gte=2, stock__gt=0).count() >= 5
    assert set(Wish.objects.values_list("status", flat=True)) == {
        "submitted",
        "catalogued",
        "declined",
    }
    assert Redemption.objects.filter(status="fulfilled").exists()
    assert selectors.leaderboard(month=selectors.this_month())
    call_command("points", "verify")
    assert "ledger OK" in capsys.readouterr().out
