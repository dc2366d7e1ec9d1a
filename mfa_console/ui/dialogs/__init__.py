"""Dialogs of the console (one per module)."""
