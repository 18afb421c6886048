"""Floor 1: the cited reference tables (catalogue, loader, checks, generated docs)."""
