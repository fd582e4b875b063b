"""The console's registrations of an event on both databases: roles, counts, search, check-in, export."""

from uuid import UUID

from content.entries import create_entry
from content.publishing import publish_entry
from content.schemas import EntryIn, PublishIn, RegistrationIn, TranslationIn
from core.db import utcnow
from newsletters.consent import Origin
from registrations import signup
from registrations.schemas import RegisterIn
from registrations.tables import Registration
from tests.conftest import Database
from tests.service.console.conftest import ConsoleClient
from tests.service.console.staff_pages import sign_in_as

SECRET = "insecure-development-key-change-me"


async def _event_with_people(actor: object) -> UUID:
    entry = await create_entry(
        "events",
        EntryIn(
            translations={
                "ka": TranslationIn(title="კომისიის სხდომა"),
                "en": TranslationIn(title="Commission sitting"),
            },
            starts_at=utcnow().replace(year=2031),
            registration=RegistrationIn(open=True, capacity=1, waitlist=True),
        ),
        actor,  # type: ignore[arg-type]
    )
    await publish_entry("events", entry.id, PublishIn(), actor)  # type: ignore[arg-type]
    for address, name in (("nino@example.ge", "ნინო ბერიძე"), ("ana@example.ge", "Ana")):
        await signup.register(
            str(entry.id),
            RegisterIn(email=address, name=name, consent=True, organisation="IOM"),
            secret_key=SECRET,
            origin=Origin(source="test"),
            retention_days=90,
        )
        [row] = await Registration.select(Registration.token).where(Registration.email == address)
        await signup.confirm(row["token"])
    return entry.id


async def test_editor_sees_counts_searches_checks_in_and_exports(
    console: ConsoleClient, db: Database
) -> None:
    editor = await sign_in_as(console, "editor", lang="ka")
    event_id = await _event_with_people(editor.actor)
    path = f"/console/events/{event_id}/registrations/"
    page = await console.get(path)
    assert page.status_code == 200, page.text
    assert "რეგისტრაცია: კომისიის სხდომა" in page.text
    assert "ადგილები: 1 / 1" in page.text
    assert "მოლოდინის სიაში: 1" in page.text
    assert page.text.count("/check-in") == 1  # only the one holding a place can check in
    assert "Content-Security-Policy" in page.headers or "content-security-policy" in page.headers
    editor_page = await console.get(f"/console/events/{event_id}")
    assert path in editor_page.text

    found = await console.get(path, params={"q": "ნინო"})
    assert "ნინო ბერიძე" in found.text
    assert "ana@example.ge" not in found.text
    [nino] = await Registration.select(Registration.id).where(Registration.email == "nino@example.ge")
    checked = await console.submit(path, f"{path}{nino['id']}/check-in", {"q": ""})
    assert checked.status_code == 303
    after = await console.get(checked.headers["location"])
    assert "მისვლა აღრიცხულია." in after.text
    assert "მოვიდა" in after.text
    no_token = await console.post(f"{path}{nino['id']}/check-in", data={})
    assert no_token.status_code == 403  # CSRF
    export = await console.get(f"{path}export")
    assert export.status_code == 200
    assert "nino@example.ge" in export.text
    assert (await console.get(f"/console/events/{UUID(int=1)}/registrations/")).status_code == 404


async def test_authors_get_the_refusal_page(console: ConsoleClient, db: Database) -> None:
    editor = await sign_in_as(console, "editor", lang="en")
    event_id = await _event_with_people(editor.actor)
    await sign_in_as(console, "author", lang="en")
    refused = await console.get(f"/console/events/{event_id}/registrations/")
    assert refused.status_code == 403
    assert "<!doctype html>" in refused.text
    assert "nino@example.ge" not in refused.text
    assert (await console.get(f"/console/events/{event_id}/registrations/export")).status_code == 403


async def test_editor_drafts_a_mail_to_the_registrants(console: ConsoleClient, db: Database) -> None:
    editor = await sign_in_as(console, "editor", lang="en")
    event_id = await _event_with_people(editor.actor)
    path = f"/console/events/{event_id}/registrations/"
    page = await console.get(path)
    assert "Mail the registrants" in page.text
    assert f'action="/console/events/{event_id}/registrations/mail"' in page.text
    nobody = await console.submit(path, f"{path}mail", {"statuses": ["accredited"]})
    assert nobody.status_code == 303
    assert "Nobody with the ticked statuses" in (await console.get(nobody.headers["location"])).text
    drafted = await console.submit(path, f"{path}mail", {"statuses": ["registered", "waitlisted"]})
    assert drafted.status_code == 303
    composer_path = drafted.headers["location"]
    assert composer_path.startswith("/console/campaigns/")
    composer = await console.get(composer_path)
    assert composer.status_code == 200
    assert "The registrants of “Commission sitting”: Registered, On the waiting list." in composer.text
    assert "This campaign reaches 2 registrants now." in composer.text
    assert 'name="lists"' not in composer.text
    fields = {
        "template": "newsletter", "subject.ka": "დღის წესრიგი", "subject.en": "The agenda", "intro.ka": "",
        "intro.en": "", "from_name": "", "from_address": "", "reply_to": "",
    }  # fmt: skip
    saved = await console.submit(composer_path, composer_path, fields)
    assert saved.status_code == 303, saved.text
    assert "The agenda" in (await console.get(saved.headers["location"])).text
    preview = await console.get(f"{composer_path}/preview/en/mail")
    assert preview.status_code == 200
    assert "Stop mail about this event" in preview.text and "/event-mail" in preview.text
    assert "Unsubscribe" not in preview.text
    forged = await console.post(f"{path}mail", data={"statuses": ["registered"]})
    assert forged.status_code == 403  # CSRF
