"""Factor VI, Processes: stateless, share-nothing processes."""
