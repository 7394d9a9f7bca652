"""News and notices: the domain events this app publishes (typed payloads)."""
