"""Fault-injection tests: workers killed, SMTP, Redis and PostgreSQL failing, hostile input, load (issue 8)."""
