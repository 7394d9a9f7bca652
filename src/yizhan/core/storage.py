"""Private file storage: files with personal data, never reachable by a media URL."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def __init__(self, **kwargs):
        kwargs.setdefault("location", settings.PRIVATE_MEDIA_ROOT)
        kwargs.setdefault("base_url", None)
        super().__init__(**kwargs)

    def url(self, name):
        raise NotImplementedError("private files are served by permission-checked views only")


def private_storage():
    """Callable for FileField(storage=...) so migrations do not freeze the path."""
    return PrivateStorage()
