"""Serving feeds: the render cache shared by processes, and HTTP conditional requests."""
