"""Newsletters: subscribers, lists, consent, and (later) campaigns, delivered by `newsletters.mail`.

What the campaign engine reuses:
- `suppression.recipients(list_slugs)`: the one rule of who may receive mail (active subscriber,
  active place on a list); `suppression.may_receive` re-checks one person at send time.
- `Recipient.token` (`tokens`): the stored random per-subscriber token of the unsubscribe
  (`/subscriptions/unsubscribe/{token}`, RFC 8058 one-click POST) and preferences
  (`/subscriptions/preferences/{token}`) links.
- `mail.transport_for(smtp_url, outbox_dir)` and `Transport.send_bytes`: SMTP or the .eml outbox.
"""
