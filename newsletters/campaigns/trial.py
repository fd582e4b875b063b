"""Test sends: a campaign mailed to a few addresses, marked [TEST], outside the ledger and the counts."""

from uuid import UUID

from newsletters.campaigns.audiences import audience_of
from newsletters.campaigns.config import SendingConfig
from newsletters.campaigns.editions import letter, personal, prepare
from newsletters.mail.transport import MailTransport
from newsletters.tables import Campaign


async def send_test(
    campaign_id: UUID, addresses: list[str], lang: str | None, config: SendingConfig, transport: MailTransport
) -> int:
    """Mail the campaign to some addresses over `transport`; how many (0 when the campaign is gone)."""
    row = await Campaign.select().output(load_json=True).where(Campaign.id == campaign_id).first()
    if row is None:
        return 0
    audience = audience_of(row, config.audiences)
    messages = await prepare(row, config.public_url, test=True, audience=audience)
    links = (
        audience.links(config.public_url, "", "test")
        if audience is not None
        else personal(config.public_url, "", "test", row["slug"])
    )
    sender = config.return_paths.sender(row["from_address"], "t", campaign_id)
    for address in addresses:
        message, _ = letter(messages, lang or "ka", address, links, config.dkim, test=True)
        await transport.send(sender, [address], message)
    return len(addresses)
