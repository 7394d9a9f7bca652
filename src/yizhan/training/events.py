"""Training and events: the domain events this app publishes (typed payloads)."""
