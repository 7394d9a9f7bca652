"""`yizhan landmarks-import FILE.csv [--crs gcj02] [--replace]`: the city's landmark list
(columns code,name,lat,lng[,kind,address,crs]), all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from yizhan.core.errors import Invalid
from yizhan.places.services import landmarks_import_csv


class Command(BaseCommand):
    help = "Import landmarks from a CSV file (code,name,lat,lng[,kind,address,crs])."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--crs", default="wgs84", choices=["wgs84", "gcj02", "bd09"])
        parser.add_argument(
            "--replace", action="store_true", help="deactivate landmarks the file does not list"
        )

    def handle(self, *args, **options):
        text = Path(options["file"]).read_text(encoding="utf-8-sig")
        try:
            done = landmarks_import_csv(text=text, crs=options["crs"], replace=options["replace"])
        except Invalid as exc:
            raise CommandError("\n".join(m for _f, m in exc.field_errors())) from exc
        self.stdout.write(
            f"{done.created} created, {done.updated} updated, {done.deactivated} deactivated"
        )
