"""Platform transparency: the readers."""
