"""Factor XII, Admin processes: run migrations and one-off tasks as separate processes."""
