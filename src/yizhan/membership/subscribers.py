"""Membership and check-in: what this app does when other apps announce facts."""
