"""News and notices: who may do what (every can-do rule of the app)."""
