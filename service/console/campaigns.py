"""The console's campaigns: the list, the composer, the preview, test sends, sending and its progress."""

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from email.utils import parseaddr
from importlib.resources import files
from typing import Any, Final
from uuid import UUID

from litestar import Controller, Request, Response, get, post
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.params import FromPath
from litestar.response import Redirect

from accounts.console_sessions import ConsoleUser
from content.kinds import KINDS
from content.staff_lists import StaffFilters, staff_list
from core.db import as_utc, utcnow
from core.errors import Conflict, Invalid, NotFound
from newsletters import digest
from newsletters.campaign_schemas import CampaignIn, CampaignOut
from newsletters.campaigns import states
from newsletters.campaigns.drafts import LANGS
from newsletters.campaigns.reader_view import entry_titles, reader_html, recipient_count
from newsletters.lists import list_lists
from newsletters.mime import checked_address
from newsletters.public_archive import archive_url
from newsletters.template_store import list_templates
from registrations import event_mail
from service.console.registration_texts import CONSOLE_REGISTRATION_TEXTS
from service.console.rendering import CONTENT_SECURITY_POLICY, TBILISI, console_page
from service.console.session import form_token, settings_of, signed_in
from service.console.texts import TEXTS
from service.feeds.publisher import feed_site
from tasks.enqueue import enqueue_campaign_start, enqueue_campaign_test, enqueue_reconcile

AnyRequest = Request[Any, Any, Any]
TEXT_FIELDS: Final = (
    "template", "subject.ka", "subject.en", "intro.ka", "intro.en", "from_name", "from_address", "reply_to",
)  # fmt: skip
SEARCH_RESULTS: Final = 20
COUNTS: Final = ("recipients", "sent", "pending", "failed", "bounced", "skipped", "complained")
MAX_TEST_ADDRESSES: Final = 20
REFRESH_SECONDS: Final = 5
DIGEST_SPAN: Final = timedelta(days=7)  # the form's first suggestion: a weekly digest
PROGRESS_SCRIPT: Final = files("service.console").joinpath("static/campaign-progress.js").read_bytes()
# The file's hash in its address, as the stylesheet's: cached for a year, a new version a new address.
PROGRESS_SCRIPT_PATH: Final = (
    f"/console/static/campaign-progress.{hashlib.sha256(PROGRESS_SCRIPT).hexdigest()[:12]}.js"
)
# The progress page runs that one script of ours, which fetches the page again for its figures.
PROGRESS_PAGE_POLICY: Final = CONTENT_SECURITY_POLICY.replace(
    "default-src 'none';", "default-src 'none'; script-src 'self'; connect-src 'self';"
)
# The preview page frames the mail from its own route; the mail's route allows its inline styles only.
PREVIEW_PAGE_POLICY: Final = CONTENT_SECURITY_POLICY + "; frame-src 'self'"
STATE_ACTIONS: Final = {
    "pause": states.pause_campaign,
    "resume": states.resume_campaign,
    "cancel": states.cancel_campaign,
}


async def _editor(request: AnyRequest) -> ConsoleUser:
    """Campaigns are the editors' (and admins'), as in the API."""
    user = await signed_in(request)
    if not user.principal.has_role("editor"):
        raise PermissionDeniedException
    return user


async def _campaign(campaign_id: UUID) -> CampaignOut:
    try:
        return await states.get_campaign(campaign_id)
    except NotFound:
        raise NotFoundException from None


def _mail_policy(public_url: str) -> str:
    """The mail frame's policy: its own inline styles, images from the public site, nothing else."""
    origin = "/".join(public_url.split("/", 3)[:3])
    return (
        f"default-src 'none'; style-src 'unsafe-inline'; img-src 'self' {origin} data:; "
        "frame-ancestors 'self'; form-action 'none'; base-uri 'none'; sandbox"
    )


def mail_headers(public_url: str) -> dict[str, str]:
    """The headers of a framed mail preview (a campaign's or a template's)."""
    return {
        "Content-Security-Policy": _mail_policy(public_url),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "Cache-Control": "no-store",
        "X-Robots-Tag": "noindex",
    }


def _draft_form(campaign: CampaignOut) -> dict[str, Any]:
    return {
        "template": campaign.template,
        "subject.ka": campaign.subject["ka"],
        "subject.en": campaign.subject["en"],
        "intro.ka": campaign.intro.get("ka", ""),
        "intro.en": campaign.intro.get("en", ""),
        "from_name": campaign.from_name,
        "from_address": campaign.from_address,
        "reply_to": campaign.reply_to or "",
        "entries": [str(each) for each in campaign.entries],
        "lists": list(campaign.lists),
    }


async def _posted(request: AnyRequest) -> dict[str, Any]:
    form = await request.form()
    values: dict[str, Any] = {name: str(form.get(name, "")).strip() for name in TEXT_FIELDS}
    values["entries"] = [str(each) for each in form.getall("entries", [])]
    values["lists"] = [str(each) for each in form.getall("lists", [])]
    for name in ("addresses", "lang", "send_at", "action"):
        values[name] = str(form.get(name, "")).strip()
    return values


def _campaign_in(
    form: dict[str, Any], texts: dict[str, str], audience: str = ""
) -> tuple[CampaignIn | None, dict[str, str]]:
    """The draft the form describes, or the errors of its fields (the domain checks the rest); a draft to
    an `audience` of its own (an event's registrants) names no lists."""
    errors: dict[str, str] = {}
    for lang in LANGS:
        if not form[f"subject.{lang}"]:
            errors[f"subject.{lang}"] = texts[f"cp_subject_missing_{lang}"]
    if not form["lists"] and not audience:
        errors["lists"] = texts["cp_lists_missing"]
    entries: list[UUID] = []
    for each in form["entries"]:
        try:
            entries.append(UUID(each))
        except ValueError:
            errors["entries"] = texts["cp_bad_entries"]
    if errors:
        return None, errors
    data = CampaignIn(
        template=form["template"] or "newsletter",
        subject={lang: form[f"subject.{lang}"] for lang in LANGS},
        intro={lang: form[f"intro.{lang}"] for lang in LANGS},
        entries=list(dict.fromkeys(entries)),
        lists=form["lists"],
        from_name=form["from_name"] or None,
        from_address=form["from_address"] or None,
        reply_to=form["reply_to"] or None,
    )
    return data, {}


def _field_error(invalid: Invalid | NotFound, texts: dict[str, str]) -> dict[str, str]:
    """A domain refusal as the field it names; `subject` (both languages) points at the Georgian one."""
    field = getattr(invalid, "field", None) or "template"
    field = "subject.ka" if field == "subject" else field
    return {field: texts.get(f"cp_bad_{field}", texts["cp_bad"])}


async def _published(q: str, lang: str) -> list[Any]:
    """The newest published entries of every kind, narrowed by the search words."""
    filters = StaffFilters(status="published", q=q[:200] or None)
    rows = [
        row for kind in KINDS for row in (await staff_list(kind, lang, filters, limit=SEARCH_RESULTS)).rows
    ]
    return sorted(rows, key=lambda row: row.updated_at, reverse=True)[:SEARCH_RESULTS]


def _rate(campaign: CampaignOut) -> tuple[float, int | None]:
    """Messages a minute since the send began, and the minutes left at that pace (None: not known)."""
    started = as_utc(campaign.started_at)
    if started is None:
        return 0.0, None
    until = as_utc(campaign.sent_at) or utcnow()
    minutes = max((until - started).total_seconds() / 60, 1 / 60)
    done = campaign.counts.sent + campaign.counts.failed + campaign.counts.bounced
    rate = done / minutes
    left = None if rate == 0 else int(campaign.counts.pending / rate + 0.999)
    return round(rate, 1), left


def _percent(lang: str) -> Any:
    """A fraction as a percentage with two decimals, in the language's own way (Georgian: 0,25)."""

    def percent(fraction: float) -> str:
        text = f"{fraction * 100:.2f}"
        return text.replace(".", ",") if lang == "ka" else text

    return percent


def _tbilisi_day(value: str) -> datetime | None:
    """A `date` value as the start of that day in Tbilisi, or None when it is not one."""
    try:
        day = date.fromisoformat(value)
    except ValueError:
        return None
    return datetime.combine(day, time(), tzinfo=TBILISI).astimezone(UTC)


def _local_time(value: str) -> datetime | None:
    """A `datetime-local` value read as Tbilisi time, or None when it is not one."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment.replace(tzinfo=TBILISI).astimezone(UTC) if moment.tzinfo is None else None


class CampaignPagesController(Controller):
    """`/console/campaigns/`: every page of a campaign, for editors and admins."""

    path = "/console/campaigns"
    include_in_schema = False

    async def _list_page(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        *,
        digest_form: dict[str, Any] | None = None,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
    ) -> Response[str]:
        return console_page(
            "campaign_list.html",
            user.interface_lang,
            status_code=status_code,
            user=user,
            csrf_token=form_token(request),
            campaigns=await states.list_campaigns(),
            counts=COUNTS,
            percent=_percent(user.interface_lang),
            lists=await list_lists(),
            digest_form=digest_form
            or {"since": f"{utcnow().astimezone(TBILISI) - DIGEST_SPAN:%Y-%m-%d}", "lists": []},
            errors=errors or {},
        )

    @get("/")
    async def campaign_list(self, request: AnyRequest) -> Response[str]:
        user = await _editor(request)
        return await self._list_page(request, user)

    @post("/digest", status_code=303)
    async def draft_digest(self, request: AnyRequest) -> Response[Any]:
        """A digest drafted from the entries published since a day, opened in the composer."""
        user = await _editor(request)
        texts = TEXTS[user.interface_lang]
        form = await request.form()
        chosen = [str(each) for each in form.getall("lists", [])]
        posted: dict[str, Any] = {"since": str(form.get("since", "")).strip(), "lists": chosen}
        since = _tbilisi_day(posted["since"])
        errors: dict[str, str] = {}
        if since is None or since > utcnow():
            errors["since"] = texts["dg_since_bad"]
        if not chosen:
            errors["lists"] = texts["dg_lists_missing"]
        if since is not None and not errors:
            name, address = parseaddr(settings_of(request).mail_from)
            try:
                drafted = await digest.draft_digest(
                    since, posted["lists"], from_name=name, from_address=address
                )
            except (Invalid, NotFound) as refused:
                field = "lists" if getattr(refused, "field", None) == "lists" else "since"
                errors[field] = texts["dg_lists_missing"] if field == "lists" else texts["dg_since_bad"]
            else:
                if drafted is not None:
                    return Redirect(f"/console/campaigns/{drafted.id}?saved=1", status_code=303)
                errors["since"] = texts["dg_nothing"]
        return await self._list_page(request, user, digest_form=posted, status_code=422, errors=errors)

    async def _composer(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        form: dict[str, Any],
        *,
        campaign: CampaignOut | None = None,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        notice: str = "",
    ) -> Response[str]:
        lang = user.interface_lang
        q = request.query_params.get("q", "").strip()
        picked = [UUID(each) for each in form["entries"] if _is_uuid(each)]
        registrants = None  # a draft to an event's registrants: which event, which statuses
        if campaign is not None and campaign.audience == event_mail.KIND:
            event_id = UUID(campaign.audience_spec["event"])
            statuses = list(campaign.audience_spec["statuses"])
            registrants = {
                "event_id": event_id,
                "title": await event_mail.event_title(event_id, lang),
                "statuses": statuses,
                "count": await event_mail.mailable_count(event_id, statuses),
                "names": ", ".join(CONSOLE_REGISTRATION_TEXTS[lang][name] for name in statuses),
            }
        results = await _published(q, lang)
        return console_page(
            "campaign_edit.html",
            lang,
            status_code=status_code,
            user=user,
            csrf_token=form_token(request),
            campaign=campaign,
            form=form,
            errors=errors or {},
            notice=notice,
            q=q,
            results=[row for row in results if row.id not in picked],
            picked=await entry_titles(picked, lang),
            templates=await list_templates(),
            lists=await list_lists(),
            recipients=registrants["count"] if registrants else await recipient_count(form["lists"]),
            registrants=registrants,
            mail_from=settings_of(request).mail_from,
            langs=LANGS,
        )

    @get("/new")
    async def new_campaign(self, request: AnyRequest) -> Response[str]:
        user = await _editor(request)
        form: dict[str, Any] = {name: "" for name in TEXT_FIELDS} | {"entries": [], "lists": []}
        form["template"] = "newsletter"
        return await self._composer(request, user, form)

    @post("/new", status_code=303)
    async def create(self, request: AnyRequest) -> Response[Any]:
        user = await _editor(request)
        texts = TEXTS[user.interface_lang]
        form = await _posted(request)
        data, errors = _campaign_in(form, texts)
        if data is not None:
            try:
                created = await states.create_campaign(data, mail_from=settings_of(request).mail_from)
            except (Invalid, NotFound) as refused:
                errors = _field_error(refused, texts)
            else:
                return Redirect(f"/console/campaigns/{created.id}?saved=1", status_code=303)
        return await self._composer(request, user, form, status_code=422, errors=errors)

    @get("/{campaign_id:uuid}")
    async def campaign_page(self, request: AnyRequest, campaign_id: FromPath[UUID]) -> Response[str]:
        user = await _editor(request)
        campaign = await _campaign(campaign_id)
        texts = TEXTS[user.interface_lang]
        notice = ""
        if request.query_params.get("saved"):
            notice = texts["cp_saved"]
        elif tested := request.query_params.get("tested", ""):
            notice = texts["cp_tested"].format(count=int(tested) if tested.isdigit() else 0)
        if campaign.status == "draft":
            return await self._composer(
                request, user, _draft_form(campaign), campaign=campaign, notice=notice
            )
        return await self._progress(request, user, campaign, notice=notice)

    async def _progress(
        self,
        request: AnyRequest,
        user: ConsoleUser,
        campaign: CampaignOut,
        *,
        status_code: int = 200,
        errors: dict[str, str] | None = None,
        notice: str = "",
    ) -> Response[str]:
        rate, minutes_left = _rate(campaign)
        public_url = settings_of(request).public_url
        page = console_page(
            "campaign_progress.html",
            user.interface_lang,
            status_code=status_code,
            user=user,
            csrf_token=form_token(request),
            campaign=campaign,
            errors=errors or {},
            notice=notice,
            rate=rate,
            minutes_left=minutes_left,
            refresh=REFRESH_SECONDS if campaign.status in ("scheduled", "sending") else None,
            archive={lang: archive_url(public_url, lang, campaign.slug) for lang in LANGS},
            langs=LANGS,
            script=PROGRESS_SCRIPT_PATH,
            percent=_percent(user.interface_lang),
        )
        page.headers["Content-Security-Policy"] = PROGRESS_PAGE_POLICY
        return page

    @post("/{campaign_id:uuid}", status_code=303)
    async def save(self, request: AnyRequest, campaign_id: FromPath[UUID]) -> Response[Any]:
        user = await _editor(request)
        texts = TEXTS[user.interface_lang]
        campaign = await _campaign(campaign_id)
        form = await _posted(request)
        data, errors = _campaign_in(form, texts, campaign.audience)
        status_code = 422
        if data is not None:
            try:
                await states.change_campaign(campaign_id, data, mail_from=settings_of(request).mail_from)
            except (Invalid, NotFound) as refused:
                errors = _field_error(refused, texts)
            except Conflict:
                errors, status_code = {"subject.ka": texts["cp_not_draft"]}, 409
            else:
                return Redirect(f"/console/campaigns/{campaign_id}?saved=1", status_code=303)
        if campaign.status != "draft":
            return await self._progress(
                request, user, campaign, status_code=409, errors={"actions": texts["cp_not_draft"]}
            )
        return await self._composer(
            request, user, form, campaign=campaign, status_code=status_code, errors=errors
        )

    @get("/{campaign_id:uuid}/preview/{lang:str}")
    async def preview(
        self, request: AnyRequest, campaign_id: FromPath[UUID], lang: FromPath[str]
    ) -> Response[str]:
        user = await _editor(request)
        if lang not in LANGS:
            raise NotFoundException
        campaign = await _campaign(campaign_id)
        page = console_page(
            "campaign_preview.html",
            user.interface_lang,
            user=user,
            csrf_token=form_token(request),
            campaign=campaign,
            mail_lang=lang,
            langs=LANGS,
        )
        page.headers["Content-Security-Policy"] = PREVIEW_PAGE_POLICY
        return page

    @get("/{campaign_id:uuid}/preview/{lang:str}/mail")
    async def preview_mail(
        self, request: AnyRequest, campaign_id: FromPath[UUID], lang: FromPath[str]
    ) -> Response[str]:
        await _editor(request)
        if lang not in LANGS:
            raise NotFoundException
        settings = settings_of(request)
        try:
            html = await reader_html(campaign_id, lang, feed_site(settings), event_mail.AUDIENCES)
        except NotFound:
            raise NotFoundException from None
        return Response(html, media_type="text/html", headers=mail_headers(settings.public_url))

    @post("/{campaign_id:uuid}/test", status_code=303)
    async def test_send(self, request: AnyRequest, campaign_id: FromPath[UUID]) -> Response[Any]:
        user = await _editor(request)
        texts = TEXTS[user.interface_lang]
        campaign = await _campaign(campaign_id)
        posted = await _posted(request)
        words = posted["addresses"].replace(",", " ").split()
        errors: dict[str, str] = {}
        addresses: list[str] = []
        if not words:
            errors["addresses"] = texts["cp_addresses_missing"]
        elif len(words) > MAX_TEST_ADDRESSES:
            errors["addresses"] = texts["cp_addresses_many"].format(count=MAX_TEST_ADDRESSES)
        else:
            try:
                addresses = [checked_address(each, "addresses") for each in words]
            except Invalid:
                errors["addresses"] = texts["cp_addresses_bad"]
        lang = posted["lang"] if posted["lang"] in LANGS else None
        if errors:
            if campaign.status != "draft":
                return await self._progress(request, user, campaign, status_code=422, errors=errors)
            form = _draft_form(campaign) | {"addresses": posted["addresses"]}
            return await self._composer(
                request, user, form, campaign=campaign, status_code=422, errors=errors
            )
        await states.refresh_content(campaign_id, feed_site(settings_of(request)))
        await enqueue_campaign_test(request.app.state.queue, campaign_id, addresses, lang)
        return Redirect(f"/console/campaigns/{campaign_id}?tested={len(addresses)}", status_code=303)

    @post("/{campaign_id:uuid}/send", status_code=303)
    async def send(self, request: AnyRequest, campaign_id: FromPath[UUID]) -> Response[Any]:
        user = await _editor(request)
        texts = TEXTS[user.interface_lang]
        campaign = await _campaign(campaign_id)
        posted = await _posted(request)
        at: datetime | None = None
        if posted["action"] == "schedule":
            at = _local_time(posted["send_at"])
            if at is None or at <= utcnow():
                errors = {"send_at": texts["cp_send_at_bad"]}
                if campaign.status != "draft":
                    return await self._progress(request, user, campaign, status_code=422, errors=errors)
                form = _draft_form(campaign) | {"send_at": posted["send_at"]}
                return await self._composer(
                    request, user, form, campaign=campaign, status_code=422, errors=errors
                )
        try:
            sent = await states.request_send(campaign_id, at, feed_site(settings_of(request)))
        except Conflict:
            current = await _campaign(campaign_id)
            errors = {"actions": texts["cp_not_draft"]}
            return await self._progress(request, user, current, status_code=409, errors=errors)
        await enqueue_campaign_start(request.app.state.queue, campaign_id, sent.send_at)
        return Redirect(f"/console/campaigns/{campaign_id}", status_code=303)

    @post("/{campaign_id:uuid}/status", status_code=303)
    async def change_status(self, request: AnyRequest, campaign_id: FromPath[UUID]) -> Response[Any]:
        user = await _editor(request)
        texts = TEXTS[user.interface_lang]
        await _campaign(campaign_id)
        action = (await _posted(request))["action"]
        change = STATE_ACTIONS.get(action)
        if change is None:
            current = await _campaign(campaign_id)
            return await self._progress(
                request, user, current, status_code=422, errors={"actions": texts["cp_bad_action"]}
            )
        try:
            await change(campaign_id)
        except Conflict:
            current = await _campaign(campaign_id)
            refusal = texts[f"cp_refused_{action}"].format(
                status=texts[f"cp_status_{current.status}"].lower()
            )
            if current.status == "draft":
                return await self._composer(
                    request, user, _draft_form(current), campaign=current, status_code=409,
                    errors={"actions": refusal},
                )  # fmt: skip
            return await self._progress(request, user, current, status_code=409, errors={"actions": refusal})
        if action == "resume":
            # A new round: the paused round's jobs stop, and the reconciler starts this one now.
            await enqueue_reconcile(request.app.state.queue)
        return Redirect(f"/console/campaigns/{campaign_id}", status_code=303)


@get(PROGRESS_SCRIPT_PATH, include_in_schema=False)
async def progress_script() -> Response[bytes]:
    """The progress page's one script, cached for a year under its hashed address."""
    return Response(
        PROGRESS_SCRIPT,
        media_type="text/javascript",
        headers={"Cache-Control": "public, max-age=31536000, immutable", "X-Content-Type-Options": "nosniff"},
    )


def _is_uuid(value: str) -> bool:
    try:
        UUID(value)
    except ValueError:
        return False
    return True
