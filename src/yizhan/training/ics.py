"""Calendars (RFC 5545, written with the `icalendar` package): one .ics file per course or
event, and a worker's personal feed of everything they hold a place in. Each session is a
VEVENT with a stable UID, so a calendar app that refreshes the feed updates it in place; a
cancelled activity stays in the feed with STATUS:CANCELLED, so the phone removes it.

icalendar is imported when a calendar is written, not with the training views."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.db.models import Count
from django.utils import timezone

from yizhan.training.models import Session

if TYPE_CHECKING:
    from icalendar import Calendar, Event

PRODID = "-//Yizhan//Training and events//ZH"


def _calendar(name: str) -> Calendar:
    from icalendar import Calendar

    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", name)
    cal.add("x-wr-timezone", "Asia/Shanghai")
    return cal


def _event(session, *, base_url: str, count: int, stamp: dt.datetime) -> Event:
    from icalendar import Alarm, Event

    activity = session.activity
    event = Event()
    event.add("uid", f"training-session-{session.pk}@yizhan")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(dt.UTC))
    event.add("dtend", session.ends_at.astimezone(dt.UTC))
    title = activity.title if count <= 1 else f"{activity.title} ({session.number}/{count})"
    event.add("summary", title)
    place = activity.place_label
    if activity.station_id and activity.station.address:
        place = f"{place}, {activity.station.address}"
    if place:
        event.add("location", place)
    if activity.lat is not None and activity.lng is not None:
        event.add("geo", (activity.lat, activity.lng))
    url = f"{base_url}/training/a/{activity.pk}/"
    event.add("url", url)
    description = "\n\n".join(p for p in [activity.description, activity.online_url, url] if p)
    event.add("description", description)
    cancelled = activity.state == activity.State.CANCELLED
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if not cancelled:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", title)
        alarm.add("trigger", dt.timedelta(hours=-1))
        event.add_component(alarm)
    return event


def calendar_file(sessions, *, name: str, base_url: str) -> bytes:
    """An .ics file holding these sessions (of one or many activities)."""
    cal = _calendar(name)
    stamp = timezone.now().astimezone(dt.UTC)
    counts = dict(
        Session.objects.filter(activity_id__in={s.activity_id for s in sessions})
        .values("activity_id")
        .annotate(n=Count("id"))
        .values_list("activity_id", "n")
    )
    for s in sessions:
        cal.add_component(_event(s, base_url=base_url, count=counts[s.activity_id], stamp=stamp))
    return cal.to_ical()
