"""Factor X, Dev/prod parity: the same toolchain and backing services in every environment."""
