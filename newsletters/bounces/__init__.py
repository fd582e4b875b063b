"""Deliverability: VERP return paths, reading delivery and complaint reports, and what they do."""
