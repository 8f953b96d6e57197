"""Factor IX, Disposability: start fast, shut down gracefully on SIGTERM."""
