"""Community pages for staff: a grid officer sees their own community, the city sees all."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, render

from yizhan.accounts.models import Role
from yizhan.accounts.permissions import can_view_community, role_required, scope_ids
from yizhan.places import selectors
from yizhan.places.models import Community


@role_required(Role.GRID_OFFICER, Role.CITY_ADMIN, Role.DISPATCHER)
def my_communities_view(request):
    ids = scope_ids(request.user, Role.GRID_OFFICER, "community")
    qs = Community.objects.select_related("subdistrict__district")
    communities = qs.filter(id__in=ids) if ids else qs.none()
    return render(request, "places/my_communities.html", {"communities": communities})


@role_required(Role.GRID_OFFICER, Role.CITY_ADMIN, Role.DISPATCHER)
def community_view(request, community_id: int):
    community = get_object_or_404(
        Community.objects.select_related("subdistrict__district"), pk=community_id
    )
    if not can_view_community(request.user, community):
        raise PermissionDenied
    geojson = selectors.feature_collection([community])
    return render(request, "places/community.html", {"community": community, "geojson": geojson})
