"""News and notices: the data and its invariants."""
