"""Factor V, Build, release, run: a running release knows and reports its identity."""
