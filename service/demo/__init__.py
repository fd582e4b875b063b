"""Demo content: a living newsroom in both languages for a fresh install (`scmi demo`)."""
