"""Factor III, Config: fail fast on missing or invalid config, never echo a secret."""
