"""Membership and check-in: the data and its invariants."""
