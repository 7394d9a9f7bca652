"""Platform transparency: the domain events this app publishes (typed payloads)."""
