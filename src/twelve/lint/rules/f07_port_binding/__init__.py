"""Factor VII, Port binding: export services by binding to a port given by config."""
