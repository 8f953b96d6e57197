"""Factor III, Config: store config in the environment, never in committed files."""
