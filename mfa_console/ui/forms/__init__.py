"""Settings forms: one widget per settings group, embedded by its pane and by the guided setup."""
