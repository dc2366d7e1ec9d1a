"""The Qt front end: main window, panes, dialogs, models, wizards. Calls core services only."""
