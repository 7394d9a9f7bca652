"""Places pages: the offline basemap's layers (versioned, compressed, cached a year) and the
place search, which works without JavaScript."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode

from yizhan.core import cached
from yizhan.places import basemap, lookup, selectors


def map_layer_view(request, version: str, name: str):
    if name not in basemap.LAYERS:
        raise Http404
    current = lookup.areas_version()
    if version != current:  # a page rendered before the data changed: the current layer
        return redirect("places:map_layer", current, name)
    return cached.respond(
        request, key=f"places:{name}:{current}", build=lambda: basemap.build(name)
    )


def _finder_near(hit) -> str:
    try:
        finder = reverse("stations:finder")
    except NoReverseMatch:  # pragma: no cover - a deployment without stations
        return ""
    return (
        finder
        + "?"
        + urlencode({"lat": f"{hit.lat:.6f}", "lng": f"{hit.lng:.6f}", "near": hit.name})
    )


def search_view(request):
    """Find a community, a landmark or a station by name or pinyin initials (lz → 兰州)."""
    q = (request.GET.get("q") or "").strip()[: selectors.MAX_QUERY]
    hits = selectors.search_places(q=q, limit=30) if q else []
    rows = [{"hit": h, "nearby_url": _finder_near(h)} for h in hits]
    return render(request, "places/search.html", {"q": q, "rows": rows})
