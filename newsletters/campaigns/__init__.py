"""Campaigns: their states, the delivery ledger, and the engine that sends them batch by batch."""
