"""Second factor verified on this server: OATH tokens, verification, lockout, authentication log."""
