"""The media library in headless Chromium against a live `scmi run`: several files uploaded with the
progress script and again with JavaScript off, captions edited, axe-clean in both languages, nothing
fetched from elsewhere."""

from pathlib import Path
from urllib.parse import urlsplit

from playwright.async_api import BrowserContext, Page, async_playwright

from tests import media_files
from tests.service.console.conftest import PASSWORD
from tests.service.console.test_console_in_a_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    check_page,
    invite,
    live,
)

__all__ = ["live"]


def sample_files(folder: Path) -> dict[str, Path]:
    """Two files the library takes and an executable dressed as a PDF, on disk for the file input."""
    folder.mkdir(parents=True, exist_ok=True)
    contents = {
        "photo.jpg": media_files.photo_with_gps(1200, 800, orientation=1),
        "report.pdf": media_files.pdf(),
        "invoice.pdf": Path("/bin/true").read_bytes(),
        "clip.mp4": media_files.mp4(),
        "interview.mp3": media_files.mp3(),
        "chart.png": media_files.png(300, 200),
    }
    for name, data in contents.items():
        (folder / name).write_bytes(data)
    return {name: folder / name for name in contents}


async def signed_in_page(context: BrowserContext, url: str, link: str, email: str, *, first: bool) -> Page:
    """A page of a staff member who has set a password (on the welcome link the first time) and signed in."""
    page = await context.new_page()
    if first:
        await page.goto(link)
        await page.fill("#password", PASSWORD)
        await page.click("main button[type=submit]")
    else:
        await page.goto(f"{url}/console/sign-in")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    await page.click("main button[type=submit]")
    await page.wait_for_url(f"{url}/console/")
    return page


async def test_upload_with_progress_then_edit_captions_axe_clean_in_both_languages(
    live: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, env = live
    link = invite(env, "author@example.org", "author", "en")
    paths = sample_files(tmp_path / "files")
    origin = urlsplit(url).netloc
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context()
        page = await signed_in_page(context, url, link, "author@example.org", first=True)
        offsite: list[str] = []
        posts: list[str] = []
        page.on("request", lambda r: offsite.append(r.url) if urlsplit(r.url).netloc != origin else None)
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)

        await page.click("header >> text=Media library")
        await page.wait_for_url(f"{url}/console/media/")
        await check_page(page, origin, offsite)

        # Three files chosen at once: the script sends each on its own, with a progress bar.
        await page.set_input_files("#file", [paths["photo.jpg"], paths["invoice.pdf"], paths["report.pdf"]])
        await page.click("form.upload button[type=submit]")
        await page.wait_for_selector(".upload-progress a")  # a refusal keeps the page; a link to refresh
        assert await page.locator(".upload-progress progress").count() == 3
        assert await page.eval_on_selector_all(
            ".upload-progress progress", "bars => bars.map(bar => bar.value)"
        ) == [100, 100, 100]
        statuses = await page.locator(".upload-progress .upload-status").all_inner_texts()
        assert statuses[0] == "Stored: photo.jpg"
        assert statuses[1].startswith("invoice.pdf: the file's contents are not of an accepted type")
        assert statuses[2] == "Stored: report.pdf"
        assert await page.locator(".upload-progress .refused").count() == 1
        assert len(posts) == 3  # one request per file, not the plain form's one
        await check_page(page, origin, offsite)
        await page.click(".upload-progress a")
        await page.wait_for_url(f"{url}/console/media/")
        assert await page.locator(".media-grid li").count() == 2

        # All accepted: the page goes back to the grid, which says how many were stored.
        await page.set_input_files("#file", [paths["clip.mp4"], paths["interview.mp3"]])
        await page.click("form.upload button[type=submit]")
        await page.wait_for_url(f"{url}/console/media/?uploaded=2")
        assert "Files stored: 2." in await page.inner_text("main")
        assert await page.locator(".media-grid li").count() == 4
        assert await page.locator(".media-grid img").count() == 1
        await check_page(page, origin, offsite)

        # Files dropped onto the form go the same way.
        dropped = await page.evaluate_handle(
            """() => {
                const transfer = new DataTransfer();
                transfer.items.add(new File(["plain words, not a document"], "notes.txt", {type: "text/plain"}));
                return transfer;
            }"""
        )
        await page.dispatch_event("form.upload", "drop", {"dataTransfer": dropped})
        await page.wait_for_selector(".upload-progress a")
        assert (await page.locator(".upload-progress .upload-status").all_inner_texts())[0].startswith(
            "notes.txt: "
        )
        assert len(posts) == 6
        await page.goto(f"{url}/console/media/")

        await page.click("nav[aria-label='Type of file'] >> text=Document")
        assert await page.locator(".media-grid li").count() == 1
        await check_page(page, origin, offsite)

        # The photo's page: preview, captions in both languages, saved.
        await page.click("nav[aria-label='Type of file'] >> text=Image")
        await page.click(".media-grid a")
        await page.wait_for_selector(".asset-preview img")
        await check_page(page, origin, offsite)
        await page.fill("[id='ka.caption']", "კომისიის სხდომა")
        await page.fill("[id='ka.alt']", "ადამიანები მაგიდასთან")
        await page.fill("[id='en.caption']", "The Commission's sitting")
        await page.fill("[id='en.alt']", "People at a table")
        await page.fill("#licence", "CC BY 4.0")
        await page.click("button[name=action][value=save]")
        await page.wait_for_selector("p.notice")
        assert "Your changes are saved." in await page.inner_text("main")
        assert await page.input_value("[id='ka.caption']") == "კომისიის სხდომა"
        assert await page.get_attribute(".asset-preview img", "alt") == "People at a table"
        await check_page(page, origin, offsite)
        asset_page = page.url.split("?")[0]

        # The same pages in Georgian.
        await page.click("header button[lang=ka]")
        await page.goto(asset_page)
        assert await page.get_attribute(".asset-preview img", "alt") == "ადამიანები მაგიდასთან"
        assert "სად გამოიყენება" in await page.inner_text("main")
        await check_page(page, origin, offsite)
        await page.goto(f"{url}/console/media/")
        assert "მედიათეკა" in await page.inner_text("h1")
        await check_page(page, origin, offsite)

        # A video's page plays it from the server.
        await page.click("nav[aria-label='ფაილის ტიპი'] >> text=ვიდეო")
        await page.click(".media-grid a")
        await page.wait_for_selector(".asset-preview video")
        await check_page(page, origin, offsite)
        await browser.close()


async def test_upload_of_several_files_without_javascript(
    live: tuple[str, dict[str, str]], tmp_path: Path
) -> None:
    url, env = live
    link = invite(env, "editor@example.org", "editor", "ka")
    paths = sample_files(tmp_path / "files")
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = await browser.new_context(java_script_enabled=False)
        page = await signed_in_page(context, url, link, "editor@example.org", first=True)
        posts: list[str] = []
        page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
        await page.goto(f"{url}/console/media/")
        await page.set_input_files("#file", [paths["chart.png"], paths["invoice.pdf"], paths["report.pdf"]])
        await page.click("form.upload button[type=submit]")
        await page.wait_for_selector(".error-summary")
        assert len(posts) == 1  # the plain form: every file in one request
        summary = await page.locator(".error-summary li").all_inner_texts()
        assert len(summary) == 1
        assert summary[0].startswith("invoice.pdf: ფაილის შიგთავსი")
        assert "შენახული ფაილები: 2." in await page.inner_text("main")
        await page.click(".error-summary a")
        assert page.url.endswith("#file")
        await page.goto(f"{url}/console/media/")
        assert await page.locator(".media-grid li").count() == 2

        await page.set_input_files("#file", [paths["clip.mp4"]])
        await page.click("form.upload button[type=submit]")
        await page.wait_for_url(f"{url}/console/media/?uploaded=1")
        assert await page.locator(".media-grid li").count() == 3

        # Captions without JavaScript too.
        await page.click("nav[aria-label='ფაილის ტიპი'] >> text=სურათი")
        await page.click(".media-grid a")
        await page.fill("[id='en.caption']", "A chart")
        await page.click("button[name=action][value=save]")
        await page.wait_for_selector("p.notice")
        assert await page.input_value("[id='en.caption']") == "A chart"
        await browser.close()
