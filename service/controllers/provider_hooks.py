"""`POST /hooks/{provider}`: Amazon SES (through SNS) and Mailgun report bounces and complaints."""

from typing import Any

import msgspec
from litestar import Request, post
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.params import FromPath

from newsletters.bounces import provider_hooks
from newsletters.bounces.effects import Rules
from newsletters.bounces.mailgun import RedisTokens
from newsletters.bounces.refusals import SignatureRefused
from service.settings import Settings


class HookAnswer(msgspec.Struct):
    """One effect per recipient (bounced, complained, counted, none, duplicate); SNS's subscription step."""

    effects: list[str]
    subscription: str | None = None


# Not a staff route: each provider's message carries its own proof, checked before anything is done.
@post(
    "/hooks/{provider:str}",
    summary="A mail service's own bounce and complaint notifications (ses, mailgun)",
    description=(
        "`ses`: Amazon SNS messages (subscription confirmation, SES bounce and complaint notifications) of a "
        "topic in BOUNCE_SNS_TOPIC_ARNS, signed by Amazon. `mailgun`: webhook events signed with "
        "BOUNCE_MAILGUN_SIGNING_KEY. 401 when the check fails, and nothing changes; 404 for a provider "
        "that is not configured."
    ),
    status_code=200,
    exclude_from_auth=True,
    tags=["bounces"],
)
async def provider_hook(request: Request[Any, Any, Any], provider: FromPath[str]) -> HookAnswer:
    settings: Settings = request.app.state.settings
    rules = Rules(secret_key=settings.secret_key, soft_limit=settings.bounce_soft_limit)
    try:
        if provider == "ses" and settings.bounce_sns_topic_arns:
            certificates = request.app.state.sns_certificates
            topics = settings.bounce_sns_topic_arns
            result = await provider_hooks.from_ses(await request.body(), certificates, topics, rules)
        elif provider == "mailgun" and settings.bounce_mailgun_signing_key:
            tokens = RedisTokens(request.app.state.queue)
            result = await provider_hooks.from_mailgun(
                await request.body(), settings.bounce_mailgun_signing_key, tokens, rules
            )
        else:
            # Off rather than refused: nothing tells a stranger which services are configured.
            raise NotFoundException()
    except SignatureRefused as refusal:
        raise NotAuthorizedException(str(refusal)) from None
    return HookAnswer(effects=result.effects, subscription=result.subscription)
