"""Signed webhooks for the website: endpoints, the events content changes owe them, and their delivery."""
