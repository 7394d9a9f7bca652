"""Volunteer services: the readers."""
