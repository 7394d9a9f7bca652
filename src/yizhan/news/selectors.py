"""News and notices: the readers."""
