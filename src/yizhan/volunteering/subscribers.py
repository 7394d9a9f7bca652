"""Volunteer services: what this app does when other apps announce facts."""
