"""Platform transparency: the writers, one function per use case."""
