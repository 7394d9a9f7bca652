"""Membership and check-in: who may do what (every can-do rule of the app)."""
