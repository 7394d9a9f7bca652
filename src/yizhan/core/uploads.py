"""Checks every uploaded file goes through before anything parses it (photos have their own
pipeline, core.images):

- `read_limited`: at most `max_bytes`, refused from the declared size before reading;
- `check_zip`: an .xlsx is a zip; its members are inflated, in a stream, up to a budget,
  whatever their headers claim, so a small file that unpacks to gigabytes (a "zip bomb")
  is refused after a bounded amount of work instead of holding a worker;
- row limits are the importers' (they stop reading at the limit).
"""

import io
import zipfile

from django.utils.translation import gettext_lazy as _

CHUNK = 1 << 16


class UploadRejected(ValueError):
    """The file is refused; the message says why, for the person who sent it."""


def read_limited(upload, *, max_bytes: int) -> bytes:
    if getattr(upload, "size", None) and upload.size > max_bytes:
        raise UploadRejected(_("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20})
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadRejected(_("The file is larger than %(mb)d MB.") % {"mb": max_bytes // 2**20})
    return data


def check_zip(data: bytes, *, max_unzipped: int, max_members: int = 1000) -> None:
    """Refuse a zip (an .xlsx) that unpacks to more than `max_unzipped` bytes in all."""
    budget = max_unzipped
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > max_members:
                raise UploadRejected(_("The spreadsheet is too large."))
            if sum(m.file_size for m in members) > max_unzipped:
                raise UploadRejected(_("The spreadsheet is too large."))
            for member in members:
                with archive.open(member) as stream:
                    while chunk := stream.read(CHUNK):
                        budget -= len(chunk)
                        if budget < 0:
                            raise UploadRejected(_("The spreadsheet is too large."))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, NotImplementedError):
        raise UploadRejected(_("The Excel file cannot be read.")) from None
