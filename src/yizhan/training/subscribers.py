"""Training and events: what this app does when other apps announce facts (nothing yet:
it reads training-need cases and station visits through their apps' selectors)."""
