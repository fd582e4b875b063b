"""Embargoed material for the press: early access for journalists, their personal links and mails."""
