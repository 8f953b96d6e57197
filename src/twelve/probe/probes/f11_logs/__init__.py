"""Factor XI, Logs: one JSON event per line on the declared stream, no secrets."""
