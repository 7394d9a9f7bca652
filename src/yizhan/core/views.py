"""Pages every visitor sees: home, privacy notice; and the media files of the demo."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yizhan.accounts.permissions import roles
from yizhan.core import notifications
from yizhan.core.models import Notification


def home_view(request):
    return render(request, "core/home.html", {"my_roles": roles(request.user)})


def privacy_view(request):
    return render(request, "core/privacy.html")


@login_required
def inbox_view(request):
    """The person's notifications, newest first; opening the page does not mark them read."""
    qs = Notification.objects.filter(recipient=request.user)
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "core/inbox.html", {"page": page, "filters": {}})


@login_required
@require_POST
def inbox_read_view(request):
    notifications.mark_all_read(user=request.user)
    return redirect("inbox")
