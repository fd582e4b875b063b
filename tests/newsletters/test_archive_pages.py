"""The newsletter archive's pages share the reading pages' frame: language, sign-up link, errors in words."""

import httpx
import pytest
from lxml import html


@pytest.mark.parametrize(
    ("lang", "title", "missing"),
    [("ka", "ბიულეტენების არქივი", "გვერდი ვერ მოიძებნა"), ("en", "Newsletter archive", "Page not found")],
)
async def test_the_archive_index_is_a_styled_page_in_its_language_with_a_sign_up_link(
    client: httpx.AsyncClient, lang: str, title: str, missing: str
) -> None:
    page = await client.get(f"/newsletters/{lang}/")
    assert page.status_code == 200
    document = html.fromstring(page.text)
    assert document.get("lang") == lang and document.xpath("//h1")[0].text == title
    assert document.xpath("//meta[@name='viewport']") and document.xpath("//style")
    assert document.xpath(f"//main//a[@href='/subscriptions/{lang}/']")
    unknown = await client.get(f"/newsletters/{lang}/no-such-newsletter")
    assert unknown.status_code == 404 and html.fromstring(unknown.text).get("lang") == lang
    assert html.fromstring(unknown.text).xpath("//h1")[0].text == missing
    wrong_language = await client.get("/newsletters/xx/", headers={"Accept-Language": lang})
    assert wrong_language.status_code == 404 and html.fromstring(wrong_language.text).get("lang") == lang
