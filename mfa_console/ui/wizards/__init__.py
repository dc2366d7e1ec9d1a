"""Wizards of the console (one per module)."""
