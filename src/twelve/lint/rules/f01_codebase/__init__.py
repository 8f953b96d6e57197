"""Factor I, Codebase: one codebase, many deploys; no environment-specific code."""
