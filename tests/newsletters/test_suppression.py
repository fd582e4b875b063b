"""The rule of who may receive mail, page by page."""

from newsletters.suppression import recipients
from tests.newsletters.conftest import Newsroom


async def test_recipients_are_each_active_person_once_across_pages(newsroom: Newsroom) -> None:
    rows = "".join(f"p{n}@example.ge,P{n},,{'ka' if n % 2 else 'en'},press;partners\n" for n in range(7))
    rows += "pending-only@example.ge,,,ka,commission\n"
    response = await newsroom.client.post(
        "/api/v1/subscribers/import",
        params={"basis": "register"},
        content=("email,name,organisation,lang,lists\n" + rows).encode(),
        headers={**newsroom.admin, "Content-Type": "text/csv"},
    )
    assert response.json()["created"] == 8
    await newsroom.subscribe("pending@example.ge", lists=["press"])
    gone = await newsroom.find("p3@example.ge")
    await newsroom.client.delete(f"/api/v1/subscribers/{gone['id']}", headers=newsroom.admin)

    paged = [person async for person in recipients(["press", "partners"], batch=2)]
    whole = [person async for person in recipients(["press", "partners"], batch=1000)]
    assert paged == whole
    assert sorted(person.email for person in paged) == [f"p{n}@example.ge" for n in (0, 1, 2, 4, 5, 6)]
    assert [person.id for person in paged] == sorted(person.id for person in paged)
    assert {person.lang for person in paged} == {"ka", "en"}
    assert all(len(person.token) >= 43 for person in paged)
    assert [person async for person in recipients(["no-such-list"])] == []
    assert [person.email async for person in recipients(["commission"])] == ["pending-only@example.ge"]
