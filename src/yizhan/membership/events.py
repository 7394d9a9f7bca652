"""Membership and check-in: the domain events this app publishes (typed payloads)."""
