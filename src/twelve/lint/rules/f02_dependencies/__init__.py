"""Factor II, Dependencies: declare every dependency explicitly, locked and pinned."""
