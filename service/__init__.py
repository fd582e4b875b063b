"""The Litestar service: settings, app factory, auth, controllers, feeds and the `scmi` command line."""
