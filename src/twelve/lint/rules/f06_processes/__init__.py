"""Factor VI, Processes: stateless, share-nothing processes; state lives in backing services."""
