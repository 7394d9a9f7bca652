"""Volunteer services: the domain events this app publishes (typed payloads).

- "volunteer.hours_logged" — a trip was confirmed by both sides and its service hours were
  recorded (志愿时长). Published once per trip, inside the confirming transaction: the
  `HoursRecord` row is unique per trip, so a second confirmation cannot publish again.
  The points bank pays its per-hour rule x `hours`.
"""

from typing import TypedDict


class HoursLogged(TypedDict):
    record_id: int  # volunteering.HoursRecord id (the award's source id)
    worker_id: int  # the volunteer's user id
    hours: int  # whole hours credited: the trip's service time rounded half up, at least 1


HOURS_LOGGED = "volunteer.hours_logged"
