"""Training and events: the writers, one function per use case."""
