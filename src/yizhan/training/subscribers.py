"""Training and events: what this app does when other apps announce facts."""
