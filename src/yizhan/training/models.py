"""Training and events: the data and its invariants."""
