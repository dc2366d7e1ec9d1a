"""MFA Console: administration console for two-step verification users."""

__version__ = "0.1.0"
