"""The console's library: data, users, directory, sync, mail, activation, backup. No Qt here."""
