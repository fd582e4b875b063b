"""The mail services' own webhooks (`POST /hooks/{provider}`): check the message, then apply what it reports.

Every check comes before any effect: a message that fails one raises SignatureRefused and nothing
is written. A genuine message posted again is recognised by its report id and counts once.
"""

from dataclasses import dataclass, field
from datetime import datetime

from newsletters.bounces import effects, mailgun, ses, sns
from newsletters.bounces.effects import Rules
from newsletters.bounces.refusals import SignatureRefused


@dataclass
class HookResult:
    """What a provider's message did: one effect per bounced or complaining recipient."""

    effects: list[str] = field(default_factory=list)
    subscription: str | None = None  # confirmed, unsubscribed: SNS's own subscription messages


async def from_ses(
    body: bytes,
    certificates: sns.Certificates,
    topics: tuple[str, ...],
    rules: Rules,
    now: datetime | None = None,
) -> HookResult:
    """An SNS message from one of our `topics`, signed by Amazon: confirm a subscription, or apply
    the bounces and complaints of an SES notification."""
    message = sns.parse(body)
    # Before any fetch: a stranger's topic never makes us visit a URL it chose.
    if message.topic_arn not in topics:
        raise SignatureRefused("the SNS topic is not one of BOUNCE_SNS_TOPIC_ARNS")
    await sns.verify(message, certificates, now)
    if message.type == "SubscriptionConfirmation":
        await sns.confirm_subscription(message, certificates.trust)
        return HookResult(subscription="confirmed")
    if message.type == "UnsubscribeConfirmation":
        return HookResult(subscription="unsubscribed")
    found = ses.incomings(message.message, message.message_id, rules.secret_key)
    return HookResult(effects=[await effects.record(each, rules, now) for each in found])


async def from_mailgun(
    body: bytes,
    signing_key: str,
    tokens: mailgun.TokenLedger,
    rules: Rules,
    now: datetime | None = None,
) -> HookResult:
    """A Mailgun event signed with our key, fresh and not seen before: apply a failure or complaint."""
    posted = mailgun.parse(body)
    await mailgun.verify(posted, signing_key, tokens, None if now is None else now.timestamp())
    found = mailgun.incoming(posted, rules.secret_key)
    if found is None:
        return HookResult()
    try:
        return HookResult(effects=[await effects.record(found, rules, now)])
    except BaseException:
        await tokens.release(posted.signature.token)  # nothing was recorded: Mailgun's retry must pass
        raise
