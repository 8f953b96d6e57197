"""Factor IV, Backing services: dependencies as attached resources, outages survived."""
