"""Factor V, Build, release, run: build an immutable artifact once, configure it at release."""
