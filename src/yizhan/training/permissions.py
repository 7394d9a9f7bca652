"""Training and events: who may do what (every can-do rule of the app)."""
