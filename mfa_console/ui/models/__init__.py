"""Models of the console (one per module)."""
