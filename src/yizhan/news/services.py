"""News and notices: the writers, one function per use case."""
