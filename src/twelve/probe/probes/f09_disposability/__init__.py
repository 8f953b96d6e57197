"""Factor IX, Disposability: fast startup, graceful shutdown."""
