"""Volunteer services on the home page, in the tab bar and in the staff menu."""

ENTRIES: list = []
