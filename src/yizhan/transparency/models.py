"""Platform transparency: the data and its invariants."""
