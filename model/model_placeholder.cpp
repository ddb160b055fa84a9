// Removed once the directory has real sources.
