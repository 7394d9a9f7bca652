"""Membership and check-in: the writers, one function per use case."""
