"""Dynamic probes: run the service, break its world from outside, watch what it does."""
