"""Private file storage: files with personal data (case attachments such as wage slips and ID
photos, platform statements), never reachable by a media URL, encrypted at rest.

Each file is one Fernet token under the personal-data keys (YIZHAN_PII_KEYS, as the
encrypted columns): a copied disk or backup shows nothing without the keys, and `yizhan
pii-rotate` re-encrypts the files with the columns. Folders are created 0700 and files 0600,
so other accounts on the machine cannot read them either. A file stored before encryption
was switched on is read as it is and encrypted by the next `pii-rotate`.
"""

import os
import tempfile

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage

from yizhan.core import pii

TOKEN_PREFIX = b"gAAAAA"  # every Fernet token starts with its version byte and timestamp


class PrivateStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        kwargs.setdefault("location", settings.PRIVATE_MEDIA_ROOT)
        kwargs.setdefault("base_url", None)
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def url(self, name):
        raise NotImplementedError("private files are served by permission-checked views only")

    def _save(self, name, content):
        content.seek(0)
        token = pii.fernet().encrypt(content.read())
        return super()._save(name, ContentFile(token))

    def _open(self, name, mode="rb"):
        with super()._open(name, "rb") as raw:
            data = raw.read()
        if data.startswith(TOKEN_PREFIX):
            data = pii.fernet().decrypt(data)
        return ContentFile(data, name=name)

    def rotate(self, name) -> bool:
        """Re-encrypt one file under the newest key (or encrypt a file stored in clear);
        replaced atomically. False when the file is missing."""
        path = self.path(name)
        try:
            with open(path, "rb") as f:
                data = f.read()
        except FileNotFoundError:
            return False
        fernet = pii.fernet()
        token = fernet.rotate(data) if data.startswith(TOKEN_PREFIX) else fernet.encrypt(data)
        folder = os.path.dirname(path)
        fd, temporary = tempfile.mkstemp(dir=folder, prefix=".rotate-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(token)
            os.chmod(temporary, self.file_permissions_mode)
            os.replace(temporary, path)
        except BaseException:
            if os.path.exists(temporary):
                os.unlink(temporary)
            raise
        return True


def private_storage():
    """Callable for FileField(storage=...) so migrations do not freeze the path."""
    return PrivateStorage()
