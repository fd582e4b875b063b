"""Newsletters: subscribers, lists, consent, templates, campaigns, rendering and delivery."""
