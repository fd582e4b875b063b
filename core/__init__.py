"""Pieces every domain package shares: transactions, engine facts, domain errors."""
