"""WSGI entry point for gunicorn: `gunicorn yizhan.wsgi`."""

import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yizhan.settings")
application = get_wsgi_application()

# Everything loaded so far (Django, the URL conf and the views it imports, the pinyin and
# word dictionaries: ~300,000 objects) never becomes garbage: frozen, the collector stops
# walking it. Before, a full collection every twenty-odd dashboard requests paused the
# request for 0.3-0.45 s on a busy machine (docs/DASHBOARDS.md, "Speed").
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - imports every view now, before the freeze
gc.freeze()
