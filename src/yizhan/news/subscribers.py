"""News and notices: what this app does when other apps announce facts."""
