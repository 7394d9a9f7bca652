"""Pages every visitor sees: home, privacy notice; and the media files of the demo."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from yizhan.accounts.permissions import roles
from yizhan.core import notifications


def home_view(request):
    return render(request, "core/home.html", {"my_roles": roles(request.user)})


def privacy_view(request):
    return render(request, "core/privacy.html")


@login_required
def inbox_view(request):
    return render(request, "core/inbox.html", {"notes": notifications.inbox(request.user)})


@login_required
@require_POST
def inbox_read_view(request):
    notifications.mark_all_read(request.user)
    return redirect("inbox")
