"""`yizhan pii-rotate`: re-encrypt every personal-data column, and every file in private
storage (case attachments, statements), under the first key of YIZHAN_PII_KEYS, so an old
key can then be removed. Safe to run again; batches of 1,000."""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

from yizhan.core import pii
from yizhan.core.storage import PrivateStorage


class Command(BaseCommand):
    help = "Re-encrypt personal data with the current primary key."

    def handle(self, *args, **options):
        total = 0
        for model in apps.get_models():
            fields = [f for f in model._meta.fields if isinstance(f, pii.EncryptedTextField)]
            if not fields:
                continue
            names = [f.attname for f in fields]
            ids = list(model.objects.values_list("pk", flat=True).order_by("pk"))
            for start in range(0, len(ids), 1000):
                with transaction.atomic():
                    rows = model.objects.select_for_update().filter(
                        pk__in=ids[start : start + 1000]
                    )
                    # Loading decrypts with any key; saving encrypts with the primary key.
                    for row in rows:
                        row.save(update_fields=names)
                        total += 1
            self.stdout.write(f"{model._meta.label}: {len(ids)} rows re-encrypted")
        files = self._rotate_files()
        self.stdout.write(f"done: {total} rows, {files} files")

    def _rotate_files(self) -> int:
        total = 0
        for model in apps.get_models():
            for field in model._meta.fields:
                if not isinstance(field, models.FileField):
                    continue
                storage = field.storage
                if not isinstance(storage, PrivateStorage):
                    continue
                names = (
                    model.objects.exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                    .iterator(chunk_size=1000)
                )
                count = sum(1 for name in names if name and storage.rotate(name))
                self.stdout.write(f"{model._meta.label}.{field.name}: {count} files re-encrypted")
                total += count
        return total
