"""Panes of the console (one per module)."""
