"""Mail transports: one interface (`transport.MailTransport`), SMTP and the file outbox behind it."""
