"""Volunteer services: the data and its invariants."""
