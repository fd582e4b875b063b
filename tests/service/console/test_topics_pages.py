"""The console's topics pages and the API's rename on both databases: roles, bad input, renames seen by the public."""

from accounts.staff import add_staff
from content.publishing import publish_entry
from content.schemas import PublishIn, TopicIn
from content.topics import create_topic
from tests.conftest import Database
from tests.service.console.conftest import ConsoleClient
from tests.service.console.staff_pages import sign_in_as, write

LABOUR = {"ka": "შრომითი მიგრაცია", "en": "Labour migration"}


async def test_staff_see_names_and_counts_authors_may_not_add_or_rename(
    console: ConsoleClient, db: Database
) -> None:
    await create_topic(TopicIn(slug="labour", name=LABOUR))
    await create_topic(TopicIn(slug="asylum", name={"ka": "თავშესაფარი", "en": "Asylum"}))
    author = await sign_in_as(console, "author", lang="ka")
    await write("news", author.actor, {"ka": "ერთი"}, topics=["labour"])
    await write("events", author.actor, {"ka": "ორი"}, topics=["labour", "asylum"])
    page = await console.get("/console/topics/")
    assert page.status_code == 200
    assert '<td lang="ka">შრომითი მიგრაცია</td>' in page.text
    assert '<td lang="en">Labour migration</td>' in page.text
    counts = page.text.split('<td class="number">')
    assert [count.split("<", 1)[0] for count in counts[1:]] == ["1", "2"]  # asylum, labour
    assert 'action="/console/topics/"' not in page.text  # no add form for an author
    assert "/console/topics/labour" not in page.text

    added = await console.submit(
        "/console/topics/", "/console/topics/", {"slug": "x", "name.ka": "x", "name.en": "x"}
    )
    assert added.status_code == 403
    assert "<!doctype html>" in added.text
    assert (await console.get("/console/topics/labour")).status_code == 403
    renamed = await console.submit(
        "/console/topics/", "/console/topics/labour", {"name.ka": "ახალი", "name.en": "New"}
    )
    assert renamed.status_code == 403
    assert "Labour migration" in (await console.get("/console/topics/")).text


async def test_editor_adds_a_topic_and_bad_input_answers_the_form(
    console: ConsoleClient, db: Database
) -> None:
    await create_topic(TopicIn(slug="labour", name=LABOUR))
    await sign_in_as(console, "editor", lang="en")
    bad = await console.submit(
        "/console/topics/", "/console/topics/", {"slug": "Not A Slug!", "name.ka": "", "name.en": "Visas"}
    )
    assert bad.status_code == 422
    assert '<a href="#slug">' in bad.text
    assert '<a href="#name.ka">Enter the name in Georgian.</a>' in bad.text
    assert 'value="Visas"' in bad.text  # what was typed stays
    taken = await console.submit(
        "/console/topics/", "/console/topics/", {"slug": "labour", "name.ka": "ა", "name.en": "b"}
    )
    assert taken.status_code == 409
    assert '<a href="#slug">' in taken.text
    added = await console.submit(
        "/console/topics/", "/console/topics/", {"slug": "visas", "name.ka": "ვიზები", "name.en": "Visas"}
    )
    assert added.status_code == 303
    assert added.headers["location"] == "/console/topics/?added=visas"
    listed = await console.get(added.headers["location"])
    assert "Topic visas added." in listed.text
    assert '<td lang="ka">ვიზები</td>' in listed.text
    topics = (await console.get("/api/v1/topics")).json()
    assert {"slug": "visas", "name": {"ka": "ვიზები", "en": "Visas"}} in topics


async def test_a_rename_in_the_console_shows_in_the_api_answers_and_feeds(
    console: ConsoleClient, db: Database
) -> None:
    await create_topic(TopicIn(slug="labour", name=LABOUR))
    editor = await sign_in_as(console, "editor", lang="ka")
    entry = await write(
        "news", editor.actor, {"en": "Seasonal work", "ka": "სეზონური სამუშაო"}, topics=["labour"]
    )
    published = await publish_entry("news", entry, PublishIn(), editor.actor)
    feed_path = "/feeds/en/topics/labour.rss"
    entry_path = f"/api/v1/news/{published.slug}"
    before_feed = await console.get(feed_path)
    before_entry = await console.get(entry_path)
    assert "Labour migration" in before_feed.text
    assert before_entry.json()["topics"][0]["name"]["en"] == "Labour migration"

    form = await console.get("/console/topics/labour")
    assert form.status_code == 200
    assert 'value="Labour migration"' in form.text
    empty = await console.submit(
        "/console/topics/labour", "/console/topics/labour", {"name.ka": "", "name.en": ""}
    )
    assert empty.status_code == 422
    assert '<a href="#name.ka">' in empty.text and '<a href="#name.en">' in empty.text
    assert (await console.get("/api/v1/topics")).json()[0]["name"] == LABOUR  # nothing half-written

    done = await console.submit(
        "/console/topics/labour",
        "/console/topics/labour",
        {"name.ka": "შრომითი მიგრაცია და დასაქმება", "name.en": "Labour migration and work"},
    )
    assert done.status_code == 303
    assert done.headers["location"] == "/console/topics/?renamed=labour"
    assert (await console.get("/api/v1/topics")).json() == [
        {"slug": "labour", "name": {"ka": "შრომითი მიგრაცია და დასაქმება", "en": "Labour migration and work"}}
    ]
    after_feed = await console.get(feed_path)
    assert "Labour migration and work" in after_feed.text
    assert after_feed.headers["etag"] != before_feed.headers["etag"]
    after_entry = await console.get(entry_path)
    assert after_entry.json()["topics"][0]["name"]["en"] == "Labour migration and work"
    assert after_entry.headers["etag"] != before_entry.headers["etag"]
    assert "Labour migration and work" in (await console.get("/feeds/en/news.rss")).text
    assert (await console.get("/console/topics/nothing-here")).status_code == 404


async def test_the_api_renames_for_editors_and_answers_bad_input_with_problem_json(
    console: ConsoleClient, db: Database
) -> None:
    await create_topic(TopicIn(slug="labour", name=LABOUR))
    editor = {"Authorization": f"Bearer {(await add_staff('ed@scmi.test', 'editor')).token}"}
    author = {"Authorization": f"Bearer {(await add_staff('au@scmi.test', 'author')).token}"}
    url = "/api/v1/topics/labour"
    refused = await console.patch(url, json={"name": {"en": "Work"}}, headers=author)
    assert refused.status_code == 403
    for body in (
        {"name": {"en": ""}},
        {"name": {}},
        {"name": {"fr": "Travail"}},
        {"name": {"en": "x" * 201}},
        {"name": {"en": "   "}},
    ):
        answer = await console.patch(url, json=body, headers=editor)
        assert answer.status_code == 422, body
        assert answer.headers["content-type"].startswith("application/problem+json"), body
        assert answer.json()["errors"][0]["field"].startswith("name"), body
    # A body of the wrong shape is refused before any rule is weighed, as everywhere in the API.
    for body in ({"slug": "other", "name": {"en": "Work"}}, {}, {"name": "Work"}):
        answer = await console.patch(url, json=body, headers=editor)
        assert answer.status_code == 400, body
        assert answer.headers["content-type"].startswith("application/problem+json"), body
    assert (await console.get("/api/v1/topics")).json()[0]["name"] == LABOUR
    missing = await console.patch("/api/v1/topics/unknown", json={"name": {"en": "Work"}}, headers=editor)
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    renamed = await console.patch(url, json={"name": {"en": "  Work abroad "}}, headers=editor)
    assert renamed.status_code == 200
    assert renamed.json() == {"slug": "labour", "name": {"ka": LABOUR["ka"], "en": "Work abroad"}}
    assert (await console.get("/api/v1/topics")).json() == [renamed.json()]
