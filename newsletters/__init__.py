"""Newsletters: subscribers, lists, consent, campaigns and their engine, delivered by `newsletters.mail`.

Where things are:
- `suppression.recipients(list_slugs)`: the one rule of who may receive mail (active subscriber,
  active place on a list); `suppression.deliverable` re-checks a batch at send time.
- `Recipient.token` (`tokens`): the stored random per-subscriber token of the unsubscribe
  (`/subscriptions/unsubscribe/{token}`, RFC 8058 one-click POST) and preferences
  (`/subscriptions/preferences/{token}`) links.
- `campaigns/`: the state machine (`states`), the delivery ledger, one batch's steps (`batch`),
  pacing, editions, the chain of batch jobs (`runner`) and test sends (`trial`).
- `mail.transport.MailRoute.transport()`: a `MailTransport` (SMTP or the .eml outbox) for one connection.
"""
