"""Factor IV, Backing services: treat backing services as attached resources."""
