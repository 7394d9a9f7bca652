"""Test-only: remove every points row, for tests that delete and rebuild the whole city
(the ledger protects its workers and stations from deletion, as it should)."""


def delete_all_points_data():
    from yizhan.points import models as m

    m.Entry.objects.all().delete()
    m.Posting.objects.filter(reverses__isnull=False).delete()
    m.Posting.objects.all().delete()
    for model in (m.Redemption, m.Wish, m.CatalogItem, m.Account, m.Sponsor, m.EarningRule):
        model.objects.all().delete()
    m.HardshipApproval.objects.all().delete()
