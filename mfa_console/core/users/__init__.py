"""Users enrolled for two-step verification: records, validation, phones, PINs, service."""
