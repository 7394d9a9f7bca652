"""Training and events: the domain events this app publishes (typed payloads).

Each is published inside the transaction that completes a sign-up, exactly once per
sign-up (a conditional update on `Enrolment.completed_at` decides); the points bank
(points/subscribers.py) pays by its rules.
"""

from typing import TypedDict

TRAINING_COMPLETED = "training.completed"
EVENT_ATTENDED = "event.attended"


class TrainingCompleted(TypedDict):
    """A worker completed a course: attendance met (and the quiz passed, where set)."""

    enrolment_id: int  # training.Enrolment: the points' source id
    worker_id: int
    activity_id: int


class EventAttended(TypedDict):
    """A worker attended an event (a party, a ceremony, a joint event, a symposium)."""

    attendance_id: int  # training.Attendance of the check-in: the points' source id
    worker_id: int
    activity_id: int
