"""What the reports app does when other apps announce facts: nothing yet.

Reports listen to no other app today. When they do, handlers go here and are subscribed in
`ReportsConfig.ready` with `core.events.subscribe`.
"""


def register() -> None:
    """Subscribe this app's handlers (none yet)."""
