"""Volunteer services: the writers, one function per use case."""
