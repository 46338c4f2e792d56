"""Internal helpers: no stability promise."""
