"""Platform transparency: what this app does when other apps announce facts."""
