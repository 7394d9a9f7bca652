"""Excel exports (cities exchange Excel files): the redemption ledger (兑换台账). openpyxl is
imported when a workbook is written, not with the views."""

import io

from django.utils import timezone
from django.utils.translation import gettext as _

from yizhan.core.pii import mask_mobile, mask_name


def redemption_ledger_xlsx(redemptions, stream) -> None:
    """Write the ledger to `stream` in write-only mode (constant memory for big months)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Redemption ledger"))
    sheet.append(
        [
            _("Pick-up code"),
            _("Redeemed at"),
            _("Worker"),
            _("Mobile"),
            _("Item"),
            _("Sponsor"),
            _("Points"),
            _("Station"),
            _("Status"),
            _("Closed at"),
        ]
    )

    def local(moment):
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""

    for r in redemptions.iterator(chunk_size=2000):
        sheet.append(
            [
                r.display_code,
                local(r.created_at),
                mask_name(r.worker.name),
                mask_mobile(r.worker.mobile),
                r.item.name,
                r.item.sponsor.name if r.item.sponsor else "",
                r.points,
                f"{r.station.code} {r.station.name}",
                r.get_status_display(),
                local(r.closed_at),
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    stream.write(buffer.getvalue())
