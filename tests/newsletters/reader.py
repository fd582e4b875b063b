"""A mail reader in headless Chromium: a received HTML part and the renderer's HTML, laid out and compared."""

import html as html_module
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from email.message import EmailMessage
from typing import Any

from playwright.async_api import Page, async_playwright

from newsletters.campaigns.editions import personal, prepare
from newsletters.rendering import PERSONAL_FIELDS, greeting
from newsletters.tables import Campaign

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WIDTHS = (600, 375)

# For every element of each iframe's body: its tag and all its computed style; for every text node
# that is not only whitespace: its text and whether a reader sees it (font size above zero, no hidden
# or undisplayed ancestor, a box of non-zero size).
_LAYOUT = """frames => frames.map(frame => {
  const doc = frame.contentDocument, win = frame.contentWindow;
  const elements = [], texts = [];
  for (const element of doc.body.querySelectorAll('*')) {
    const style = win.getComputedStyle(element);
    const values = [];
    for (let i = 0; i < style.length; i++) values.push(style[i] + ':' + style.getPropertyValue(style[i]));
    elements.push(element.tagName + ' ' + values.join(';'));
  }
  const walker = doc.createTreeWalker(doc.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.data.replace(/\\s+/g, ' ').trim();
    if (!text) continue;
    const parent = node.parentElement, style = win.getComputedStyle(parent);
    const range = doc.createRange(); range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    const visible = parseFloat(style.fontSize) > 0 && style.visibility !== 'hidden'
      && parent.checkVisibility({checkVisibilityCSS: true}) && box.width > 0 && box.height > 0;
    texts.push({text, visible, font: style.fontSize, family: style.fontFamily});
  }
  return {elements, texts};
})"""


@dataclass(frozen=True)
class Layout:
    """What a reader's client shows of one HTML document at one width."""

    elements: list[str]
    texts: list[dict[str, Any]]

    def hidden(self) -> list[str]:
        return [text["text"] for text in self.texts if not text["visible"]]

    def visible_text(self) -> list[str]:
        return [text["text"] for text in self.texts if text["visible"]]


@asynccontextmanager
async def reader() -> AsyncIterator[Page]:
    """One headless Chromium page, offline, for a whole test module's mails."""
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.route("**/*", lambda route: route.abort())  # a mail must render with nothing fetched
            yield page
        finally:
            await browser.close()


async def layouts(page: Page, documents: list[str], width: int) -> list[Layout]:
    """Lay out every document in an iframe `width` pixels wide, all on one page load."""
    frames = "".join(
        f'<iframe style="width:{width}px;height:2000px;border:0;display:block" '
        f'srcdoc="{html_module.escape(document, quote=True)}"></iframe>'
        for document in documents
    )
    await page.set_content(f"<!doctype html><html><body>{frames}</body></html>", wait_until="load")
    results = await page.locator("iframe").evaluate_all(_LAYOUT)
    return [Layout(elements=result["elements"], texts=result["texts"]) for result in results]


def received_html(message: EmailMessage) -> str:
    """The HTML part as the standard `email` package decodes it, as a client would."""
    part = message.get_body(preferencelist=("html",))
    assert part is not None, "no HTML part"
    content = part.get_content()
    assert isinstance(content, str)
    return content


async def rendered_html(campaign_id: str, message: EmailMessage, name: str, public_url: str) -> str:
    """The renderer's HTML of this campaign for this recipient: the edition with the personal parts in."""
    row = await Campaign.select().output(load_json=True).where(Campaign.id == campaign_id).first()
    assert row is not None
    lang = message["Content-Language"]
    edition = (await prepare(row, public_url))[lang].edition
    token = message["List-Unsubscribe"].strip("<>").rsplit("/", 1)[1]
    links = personal(public_url, name, token)
    values = {
        "greeting": greeting(lang, name),
        "subscriber_name": name,
        "unsubscribe_url": links.unsubscribe_url,
        "preferences_url": links.preferences_url,
    }
    document = edition.html
    for field in PERSONAL_FIELDS:
        document = document.replace(
            edition.placeholders.token("html", field), html_module.escape(values[field])
        )
    return document


def first_difference(got: Layout, want: Layout) -> str:
    """A short account of where two layouts part, for an assertion message."""
    if got.visible_text() != want.visible_text():
        missing = [text for text in want.visible_text() if text not in got.visible_text()]
        return f"visible text differs; the reader misses: {json.dumps(missing, ensure_ascii=False)[:600]}"
    for index, (mine, theirs) in enumerate(zip(got.elements, want.elements, strict=False)):
        if mine != theirs:
            a, b = dict(_pairs(mine)), dict(_pairs(theirs))
            changed = {
                key: (a.get(key), b.get(key)) for key in a.keys() | b.keys() if a.get(key) != b.get(key)
            }
            return f"element {index} ({mine.split(' ', 1)[0]}): computed style differs (got, want): {changed}"
    if len(got.elements) != len(want.elements):
        return f"{len(got.elements)} elements, the renderer's HTML has {len(want.elements)}"
    return "layouts differ in text boxes"


def _pairs(element: str) -> list[tuple[str, str]]:
    declarations = element.split(" ", 1)[1] if " " in element else ""
    return [tuple(item.split(":", 1)) for item in declarations.split(";") if ":" in item]  # type: ignore[misc]
