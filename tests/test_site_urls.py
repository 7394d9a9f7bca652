"""The URLs in two parts: `yizhan.site_urls` (every page) and `yizhan.urls` (the JSON API in
front of them). A process that only links to pages (demo-load) reverses through the first
and never builds the API; the site answers the same either way."""

import os
import subprocess
import sys

from django.urls import URLPattern, URLResolver, get_resolver, reverse

from yizhan import site_urls, urls


def _names(patterns, prefix=""):
    for p in patterns:
        if isinstance(p, URLPattern) and p.name:
            yield f"{prefix}{p.name}", p
        elif isinstance(p, URLResolver):
            ns = f"{prefix}{p.namespace}:" if p.namespace else prefix
            yield from _names(p.url_patterns, ns)


def test_the_site_is_the_api_then_every_page():
    assert urls.urlpatterns[1:] == site_urls.urlpatterns
    assert urls.urlpatterns[0].namespace == "api"


def test_every_page_reverses_the_same_through_the_page_urls_alone():
    pages = get_resolver("yizhan.site_urls")
    checked = 0
    for name, pattern in _names(site_urls.urlpatterns):
        if pattern.pattern.regex.groups:  # needs arguments: the plain names are enough here
            continue
        assert reverse(name, urlconf="yizhan.site_urls") == reverse(name), name
        checked += 1
    assert checked > 30 and "api" not in pages.namespace_dict


def test_linking_to_pages_does_not_build_the_api():
    code = (
        "import os, sys\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'yizhan.settings')\n"
        "import django\n"
        "django.setup()\n"
        "from django.urls import reverse, set_urlconf\n"
        "set_urlconf('yizhan.site_urls')\n"
        "print(reverse('reports:detail', args=[1]), 'yizhan.api' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ, check=True
    )
    assert done.stdout.split() == ["/reports/1/", "False"]
