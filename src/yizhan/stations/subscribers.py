"""What the stations app does when other apps announce facts: nothing yet. A handler goes
here and is subscribed in `register()`, which `StationsConfig.ready` calls."""


def register() -> None:
    """The stations app subscribes to no event today."""
