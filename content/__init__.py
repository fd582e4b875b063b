"""Content: entries and their translations, topics, revisions, publishing rules and feeds."""
