"""The arq worker: jobs that take ids, cron, and the queue they share with the API."""
