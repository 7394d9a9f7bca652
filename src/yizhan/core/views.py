"""Pages every visitor sees: home, privacy notice; and the media files of the demo."""

from django.shortcuts import render

from yizhan.accounts.permissions import roles


def home_view(request):
    return render(request, "core/home.html", {"my_roles": roles(request.user)})


def privacy_view(request):
    return render(request, "core/privacy.html")
