"""Training and events: the readers."""
