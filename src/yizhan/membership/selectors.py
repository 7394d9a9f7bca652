"""Membership and check-in: the readers."""
