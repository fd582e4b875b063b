"""Topics: anyone reads them, editors add and rename them."""

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import Body, FromPath

from content import topics
from content.schemas import TopicIn, TopicOut, TopicRename
from service.auth import requires


class TopicController(Controller):
    """`/api/v1/topics`."""

    path = "/api/v1/topics"
    tags = ["topics"]

    @get("/", summary="Every thematic direction")
    async def list_topics(self) -> list[TopicOut]:
        return await topics.list_topics()

    @post("/", guards=[requires("editor")], summary="Add a thematic direction")
    async def create_topic(self, data: Annotated[TopicIn, Body()]) -> TopicOut:
        return await topics.create_topic(data)

    @patch("/{slug:str}", guards=[requires("editor")], summary="Rename a thematic direction")
    async def rename_topic(self, slug: FromPath[str], data: Annotated[TopicRename, Body()]) -> TopicOut:
        return await topics.rename_topic(slug, data.name)
