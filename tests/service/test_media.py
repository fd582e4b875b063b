"""The media library over HTTP with real crafted files: uploads, refusals, serving, renditions."""

import asyncio
import functools
import io
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from litestar import Litestar
from PIL import Image

from service.app import create_app
from service.settings import Settings
from tasks.worker import build_worker
from tests import media_files
from tests.conftest import Database, Staff, running, settings_with
from tests.helpers import bilingual, create, publish
from tests.s3_server import new_bucket, s3_endpoint

__all__ = ["s3_endpoint"]

GEORGIAN_NAME = "კომისიის სხდომა 2026.jpg"


@pytest.fixture
def app(settings: Settings) -> Litestar:
    return create_app(settings)


@pytest.fixture
async def client(app: Litestar, db: Database) -> AsyncIterator[httpx.AsyncClient]:
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as test_client:
            yield test_client
    db.bind()


@functools.cache
def bomb() -> bytes:
    return media_files.png_bomb()


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    data: bytes,
    name: str,
    content_type: str = "image/jpeg",
) -> httpx.Response:
    return await client.post("/api/v1/media", files={"file": (name, data, content_type)}, headers=headers)


async def run_worker(app: Litestar) -> None:
    """Run the arq worker in burst mode until the queue is empty, as `scmi worker` would."""
    worker = build_worker(
        app.state.queue,
        app.state.settings,
        media_storage=app.state.media_storage,
        burst=True,
        handle_signals=False,
    )
    await worker.main()


def exif_gps_of(data: bytes) -> dict[int, object]:
    with Image.open(io.BytesIO(data)) as image:
        return dict(image.getexif().get_ifd(media_files.GPS_IFD))


async def test_photo_and_pdf_attached_to_news_are_served_without_gps_and_with_renditions(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    photo = media_files.photo_with_gps()
    assert exif_gps_of(photo)  # the crafted photo does carry GPS
    uploaded = await upload(client, staff.headers("author"), photo, GEORGIAN_NAME)
    assert uploaded.status_code == 201, uploaded.text
    image = uploaded.json()
    assert image["mime"] == "image/jpeg"
    assert image["filename"] == GEORGIAN_NAME
    # EXIF orientation 6 turns the 2000×1000 photo upright: 1000×2000.
    assert (image["width"], image["height"]) == (1000, 2000)
    assert image["renditions"] == []
    report = media_files.pdf()
    document = (await upload(client, staff.headers("author"), report, "ანგარიში.pdf", "x/y")).json()
    assert document["mime"] == "application/pdf"

    body = bilingual(cover_id=image["id"], attachment_ids=[document["id"], image["id"]])
    entry = await create(client, staff.headers("author"), body=body)
    # Nothing is public while the entry is a draft.
    for path in (f"/api/v1/media/{image['id']}", image["url"], document["url"]):
        assert (await client.get(path)).status_code == 404
    assert (await client.get(image["url"], headers=staff.headers("author"))).status_code == 200

    await publish(client, staff.headers("editor"), entry["id"])
    public = (await client.get(f"/api/v1/news/{entry['id']}")).json()
    assert public["cover"]["id"] == image["id"]
    assert [item["mime"] for item in public["attachments"]] == ["application/pdf", "image/jpeg"]
    assert public["attachments"][0]["url"] == document["url"]

    served = await client.get(image["url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert "immutable" in served.headers["cache-control"]
    assert served.headers["cache-control"].startswith("public")
    assert served.headers["etag"] == f'"{image["sha256"]}"'
    assert exif_gps_of(served.content) == {}
    assert b"PhoneMaker" not in served.content
    with Image.open(io.BytesIO(served.content)) as picture:
        assert picture.size == (1000, 2000)
    assert (
        await client.get(image["url"], headers={"If-None-Match": served.headers["etag"]})
    ).status_code == 304

    pdf = await client.get(document["url"])
    assert pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E1%83%90%E1%83%9C" in pdf.headers["content-disposition"]
    assert pdf.content == report

    await run_worker(app)
    asset = (await client.get(f"/api/v1/media/{image['id']}")).json()
    names = sorted(item["name"] for item in asset["renditions"])
    assert names == ["320.jpg", "320.webp", "960.jpg", "960.webp"]
    for item in asset["renditions"]:
        response = await client.get(item["url"])
        assert response.status_code == 200
        assert response.headers["content-type"] == item["mime"]
        assert exif_gps_of(response.content) == {}
        with Image.open(io.BytesIO(response.content)) as picture:
            assert picture.size == (item["width"], item["height"])
            assert picture.width == int(item["name"].split(".")[0])


async def test_same_bytes_give_the_same_asset(client: httpx.AsyncClient, staff: Staff) -> None:
    first = await upload(client, staff.headers("author"), media_files.png(), "a.png")
    again = await upload(client, staff.headers("author2"), media_files.png(), "b.png")
    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["sha256"] == again.json()["sha256"]


@pytest.mark.parametrize(
    ("data", "name", "reason"),
    [
        (media_files.png(), "report.pdf", "PNG (image/png) but its name ends in .pdf"),
        (media_files.HTML, "photo.jpg", "text/html"),
        (media_files.SVG_WITH_SCRIPT, "logo.svg", "image/svg+xml"),
        (media_files.SHELL_SCRIPT, "song.mp3", "text/x-shellscript"),
        (Path("/bin/true").read_bytes(), "video.mp4", "ELF"),
        (media_files.plain_zip(), "strategy.docx", "application/zip"),
        (media_files.office("xlsx"), "strategy.docx", "Excel (XLSX)"),
    ],
    ids=["png-as-pdf", "html-as-jpg", "svg-script", "script", "executable", "zip-as-docx", "xlsx-as-docx"],
)
async def test_refused_types_answer_415_with_the_reason(
    client: httpx.AsyncClient, staff: Staff, data: bytes, name: str, reason: str
) -> None:
    response = await upload(client, staff.headers("author"), data, name, "application/pdf")
    assert response.status_code == 415, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert reason in response.json()["detail"]


@pytest.mark.parametrize(
    ("data", "name", "mime"),
    [
        (media_files.mp4(), "clip.mp4", "video/mp4"),
        (media_files.mp3(), "interview.mp3", "audio/mpeg"),
        (
            media_files.office("docx"),
            "strategy.docx",
            media_files_mime := "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        (
            media_files.office("xlsx"),
            "budget.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            media_files.office("pptx"),
            "slides",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (media_files.photo_with_gps(fmt="WEBP", width=400, height=300), "photo.webp", "image/webp"),
    ],
    ids=["mp4", "mp3", "docx", "xlsx", "pptx-no-extension", "webp"],
)
async def test_accepted_types_by_their_bytes(
    client: httpx.AsyncClient, staff: Staff, data: bytes, name: str, mime: str
) -> None:
    response = await upload(client, staff.headers("author"), data, name, "text/html")
    assert response.status_code == 201, response.text
    assert response.json()["mime"] == mime
    served = await client.get(response.json()["url"], headers=staff.headers("author"))
    assert served.headers["content-type"] == mime
    if mime == "image/webp":
        assert exif_gps_of(served.content) == {}
    else:
        assert served.content == data


async def test_decompression_bomb_is_refused_with_422(client: httpx.AsyncClient, staff: Staff) -> None:
    response = await upload(client, staff.headers("author"), bomb(), "bomb.png", "image/png")
    assert response.status_code == 422, response.text
    assert "decompression bomb" in response.json()["detail"]
    assert response.json()["errors"][0]["field"] == "file"


async def test_upload_over_the_limit_is_refused_with_413(client: httpx.AsyncClient, staff: Staff) -> None:
    big = media_files.mp4(60 * 1024 * 1024)
    response = await upload(client, staff.headers("author"), big, "big.mp4", "video/mp4")
    assert response.status_code == 413, response.text
    assert "50 MB" in response.json()["detail"]


async def test_limit_is_enforced_while_streaming_without_content_length(
    settings: Settings, db: Database, staff: Staff
) -> None:
    small_limit = settings_with(settings, media_max_upload=1024 * 1024)
    app = create_app(small_limit)
    boundary = "scmi-boundary"

    async def body() -> AsyncIterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="v.mp4"\r\n'
            "Content-Type: video/mp4\r\n\r\n"
        ).encode()
        data = media_files.mp4(3 * 1024 * 1024)
        for start in range(0, len(data), 64 * 1024):
            yield data[start : start + 64 * 1024]
        yield f"\r\n--{boundary}--\r\n".encode()

    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as client:
            response = await client.post(
                "/api/v1/media",
                content=body(),
                headers={
                    **staff.headers("author"),
                    "Content-Type": f"multipart/form-data; boundary={boundary}",
                },
            )
    db.bind()
    assert response.status_code == 413, response.text
    assert "1 MB" in response.json()["detail"]
    assert list((small_limit.data_dir / "uploads").iterdir()) == []  # the scratch file is gone


def multipart_body(filename: bytes, data: bytes, boundary: str = "scmi-boundary") -> bytes:
    """A multipart body written by hand, so the file name reaches the server byte for byte."""
    return (
        f"--{boundary}\r\n".encode()
        + b'Content-Disposition: form-data; name="file"; filename="'
        + filename
        + b'"\r\nContent-Type: application/pdf\r\n\r\n'
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )


async def test_traversal_filename_is_kept_only_as_clean_metadata(
    settings: Settings, client: httpx.AsyncClient, staff: Staff
) -> None:
    name = "../../etc/\x01pa\u202esswd..\x07.pdf".encode()
    response = await client.post(
        "/api/v1/media",
        content=multipart_body(name, media_files.pdf()),
        headers={**staff.headers("author"), "Content-Type": "multipart/form-data; boundary=scmi-boundary"},
    )
    assert response.status_code == 201, response.text
    stored = response.json()["filename"]
    assert stored == "passwd.pdf"
    media_dir = settings.data_dir / "media"
    keys = sorted(str(path.relative_to(media_dir)) for path in media_dir.rglob("*") if path.is_file())
    assert keys == [f"originals/{response.json()['sha256']}.pdf"]
    assert not (settings.data_dir.parent / "etc").exists()


async def test_range_requests_seek_in_video(client: httpx.AsyncClient, staff: Staff) -> None:
    video = media_files.mp4(100_000)
    asset = (await upload(client, staff.headers("author"), video, "clip.mp4", "video/mp4")).json()
    headers = staff.headers("author")
    partial = await client.get(asset["url"], headers={**headers, "Range": "bytes=1000-1999"})
    assert partial.status_code == 206
    assert partial.headers["content-range"] == f"bytes 1000-1999/{len(video)}"
    assert partial.headers["content-length"] == "1000"
    assert partial.content == video[1000:2000]
    assert partial.headers["content-disposition"].startswith("inline;")
    tail = await client.get(asset["url"], headers={**headers, "Range": "bytes=-500"})
    assert (tail.status_code, tail.content) == (206, video[-500:])
    open_ended = await client.get(asset["url"], headers={**headers, "Range": f"bytes={len(video) - 10}-"})
    assert open_ended.content == video[-10:]
    beyond = await client.get(asset["url"], headers={**headers, "Range": f"bytes={len(video)}-"})
    assert beyond.status_code == 416
    assert beyond.headers["content-range"] == f"bytes */{len(video)}"
    whole = await client.get(asset["url"], headers=headers)
    assert (whole.status_code, whole.headers["accept-ranges"], whole.content) == (200, "bytes", video)


async def test_metadata_is_edited_per_language(client: httpx.AsyncClient, staff: Staff) -> None:
    asset = (await upload(client, staff.headers("author"), media_files.png(), "p.png", "image/png")).json()
    url = f"/api/v1/media/{asset['id']}"
    patch = {
        "caption": {"ka": "კომისიის სხდომა", "en": "The Commission in session"},
        "alt": {"en": "Members around a table"},
        "credit": {"ka": "SCMI"},
        "licence": "CC BY 4.0",
    }
    edited = await client.patch(url, json=patch, headers=staff.headers("author2"))
    assert edited.status_code == 200, edited.text
    assert edited.json()["caption"] == patch["caption"]
    again = await client.patch(url, json={"caption": {"en": ""}}, headers=staff.headers("author"))
    assert again.json()["caption"] == {"ka": "კომისიის სხდომა"}
    assert again.json()["licence"] == "CC BY 4.0"
    assert (await client.patch(url, json={"licence": "x"})).status_code == 401
    bad = await client.patch(url, json={"caption": {"fr": "x"}}, headers=staff.headers("author"))
    assert bad.status_code == 400


async def test_entries_refuse_unknown_assets(client: httpx.AsyncClient, staff: Staff) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    for field, value in (("cover_id", missing), ("attachment_ids", [missing])):
        response = await client.post(
            "/api/v1/news", json=bilingual(**{field: value}), headers=staff.headers("author")
        )
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["field"] == field
    entry = await create(client, staff.headers("author"))
    response = await client.patch(
        f"/api/v1/news/{entry['id']}", json={"attachment_ids": [missing]}, headers=staff.headers("author")
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "attachment_ids"


async def test_upload_needs_an_author_and_a_multipart_body(client: httpx.AsyncClient, staff: Staff) -> None:
    assert (await upload(client, {}, media_files.png(), "p.png")).status_code == 401
    not_multipart = await client.post("/api/v1/media", content=b"x", headers=staff.headers("author"))
    assert not_multipart.status_code == 415
    no_file = await client.post(
        "/api/v1/media", files={"other": ("p.png", b"x")}, headers=staff.headers("author")
    )
    assert no_file.status_code == 400


async def test_georgian_names_stay_readable_and_windows_paths_lose_their_folders(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    name = "C:\\Users\\press\\მიგრაციის სტრატეგია 2026–2030.pdf".encode()
    response = await client.post(
        "/api/v1/media",
        content=multipart_body(name, media_files.pdf()),
        headers={**staff.headers("author"), "Content-Type": "multipart/form-data; boundary=scmi-boundary"},
    )
    assert response.status_code == 201, response.text
    assert response.json()["filename"] == "მიგრაციის სტრატეგია 2026–2030.pdf"


async def test_object_storage_backend_serves_uploads_and_renditions(
    settings: Settings, db: Database, staff: Staff, s3_endpoint: str
) -> None:
    bucket = new_bucket(s3_endpoint)
    on_s3 = settings_with(
        settings,
        media_store_url=bucket.url,
        s3_endpoint=s3_endpoint,
        s3_region="us-east-1",
        s3_access_key_id="test",
        s3_secret_access_key="test",
    )
    app = create_app(on_s3)
    async with running(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t.local") as client:
            photo = media_files.photo_with_gps(1200, 800, orientation=1)
            asset = (await upload(client, staff.headers("author"), photo, "photo.jpg")).json()
            await run_worker(app)
            asset = (await client.get(f"/api/v1/media/{asset['id']}", headers=staff.headers("author"))).json()
            served = await client.get(
                asset["url"], headers={**staff.headers("author"), "Range": "bytes=0-99"}
            )
            whole = await client.get(asset["url"], headers=staff.headers("author"))
            rendition = await client.get(asset["renditions"][0]["url"], headers=staff.headers("author"))
    db.bind()
    assert sorted(item["name"] for item in asset["renditions"]) == [
        "320.jpg",
        "320.webp",
        "960.jpg",
        "960.webp",
    ]
    assert (served.status_code, len(served.content)) == (206, 100)
    assert exif_gps_of(whole.content) == {}
    assert rendition.status_code == 200
    local_files = [path for path in (on_s3.data_dir / "media").rglob("*") if path.is_file()]
    assert local_files == []  # everything went to the bucket


async def test_concurrent_uploads_of_the_same_bytes_make_one_asset(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    data = media_files.mp4(50_000)
    answers = await asyncio.gather(
        *[upload(client, staff.headers("author"), data, f"clip{n}.mp4", "video/mp4") for n in range(4)]
    )
    assert sorted(answer.status_code for answer in answers) == [200, 200, 200, 201]
    assert len({answer.json()["id"] for answer in answers}) == 1
    listing = (await client.get("/api/v1/media", headers=staff.headers("author"))).json()
    assert len(listing["items"]) == 1


async def test_library_lists_to_the_public_only_what_published_entries_use(
    client: httpx.AsyncClient, staff: Staff
) -> None:
    author, editor = staff.headers("author"), staff.headers("editor")
    files = [media_files.pdf(), media_files.mp3(), media_files.office("pptx"), media_files.png()]
    names = ["r.pdf", "a.mp3", "s.pptx", "p.png"]
    assets = [
        (await upload(client, author, data, name)).json() for data, name in zip(files, names, strict=True)
    ]
    report, audio, slides, picture = (asset["id"] for asset in assets)
    material = await create(
        client,
        author,
        "materials",
        bilingual(material_type="report", cover_id=picture, attachment_ids=[report, slides]),
    )
    await create(client, author, "news", bilingual("მხოლოდ დრაფტი", "Only a draft", attachment_ids=[audio]))
    assert (await client.get("/api/v1/media")).json() == {"items": [], "next_cursor": None}

    await publish(client, editor, material["id"], "materials")
    public = (await client.get("/api/v1/media")).json()
    assert sorted(item["id"] for item in public["items"]) == sorted([report, slides, picture])
    assert (await client.get(f"/api/v1/media/{audio}")).status_code == 404
    listed = (await client.get(f"/api/v1/materials/{material['id']}?lang=en")).json()
    assert [(item["filename"], item["mime"], item["size"]) for item in listed["attachments"]] == [
        ("r.pdf", "application/pdf", len(files[0])),
        ("s.pptx", media_files.PPTX, len(files[2])),
    ]
    assert listed["cover"]["width"] == 64

    first = (await client.get("/api/v1/media?limit=3", headers=author)).json()
    rest = (await client.get(f"/api/v1/media?limit=3&cursor={first['next_cursor']}", headers=author)).json()
    assert [item["id"] for item in first["items"] + rest["items"]] == [picture, slides, audio, report]
    assert rest["next_cursor"] is None
    documents = (await client.get("/api/v1/media?family=document", headers=author)).json()
    assert {item["id"] for item in documents["items"]} == {report, slides}

    await client.post(f"/api/v1/materials/{material['id']}/unpublish", headers=editor)
    assert (await client.get(f"/api/v1/media/{report}/file")).status_code == 404
    assert (await client.get("/api/v1/media")).json()["items"] == []


async def test_animated_gif_keeps_its_frames_and_gets_still_renditions(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    asset = (
        await upload(client, staff.headers("author"), media_files.animated_gif(), "a.gif", "image/gif")
    ).json()
    assert (asset["mime"], asset["width"], asset["height"]) == ("image/gif", 400, 200)
    served = await client.get(asset["url"], headers=staff.headers("author"))
    assert b"secret" not in served.content
    with Image.open(io.BytesIO(served.content)) as picture:
        assert picture.n_frames == 3
    await run_worker(app)
    asset = (await client.get(f"/api/v1/media/{asset['id']}", headers=staff.headers("author"))).json()
    assert sorted(item["name"] for item in asset["renditions"]) == ["320.gif", "320.webp"]


async def test_image_bytes_that_do_not_decode_are_refused(client: httpx.AsyncClient, staff: Staff) -> None:
    truncated = media_files.png(640, 480)[:60]
    response = await upload(client, staff.headers("author"), truncated, "cut.png", "image/png")
    assert response.status_code == 415, response.text
    assert "not a readable PNG image" in response.json()["detail"]


async def test_public_files_are_answered_from_memory_as_storage_answers_them(
    app: Litestar, client: httpx.AsyncClient, staff: Staff
) -> None:
    photo = media_files.photo_with_gps()
    image = (await upload(client, staff.headers("author"), photo, GEORGIAN_NAME)).json()
    entry = await create(client, staff.headers("author"), body=bilingual(cover_id=image["id"]))
    await publish(client, staff.headers("editor"), entry["id"])
    await run_worker(app)
    rendition = f"/api/v1/media/{image['id']}/renditions/320.webp"
    etag = (await client.get(image["url"])).headers["etag"]
    cases: list[tuple[str, dict[str, str]]] = [
        (image["url"], {}),
        (image["url"], {"Range": "bytes=100-1099"}),
        (image["url"], {"Range": "bytes=-500"}),
        (image["url"], {"If-None-Match": etag}),
        (image["url"], {"Range": "bytes=0-9", "If-Range": '"other"'}),
        (rendition, {}),
        (rendition, {"Range": "bytes=10-"}),
    ]
    files = app.state.media_files
    front = app.asgi_handler
    for url, headers in cases:
        streamed = await client.get(url, headers={**headers, **staff.headers("author")})  # staff: storage
        answered = front.answered
        kept = await client.get(url, headers=headers)
        again = await client.get(url, headers=headers)
        assert front.answered > answered, f"{url} {headers} did not take the fast path"
        for response in (kept, again):
            assert (response.status_code, response.content) == (streamed.status_code, streamed.content)
            for name in ("etag", "cache-control", "content-type", "content-length", "content-range",
                         "accept-ranges", "content-disposition", "x-content-type-options"):  # fmt: skip
                assert response.headers.get(name) == streamed.headers.get(name), (url, headers, name)
    assert files.loads == 2  # the file and the rendition, each read from storage once
    beyond = await client.get(image["url"], headers={"Range": f"bytes={len(photo) * 10}-"})
    assert beyond.status_code == 416
    await client.post(f"/api/v1/news/{entry['id']}/unpublish", headers=staff.headers("editor"))
    assert (await client.get(image["url"])).status_code == 404
    assert (await client.get(rendition)).status_code == 404
