"""Factor XI, Logs: treat logs as event streams, structured, on stdout."""
