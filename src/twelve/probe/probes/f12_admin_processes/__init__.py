"""Factor XII, Admin processes: one-off tasks in the same release and config."""
