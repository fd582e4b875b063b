"""Event registration and press accreditation: places, waiting lists, invitations, accredited journalists."""
