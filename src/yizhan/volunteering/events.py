"""Volunteer services: the domain events this app publishes (typed payloads)."""
