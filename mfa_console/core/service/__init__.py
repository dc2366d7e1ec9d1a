"""The headless background service: a schedule loop with a heartbeat, and its secrets source."""
