"""Lists (audiences): `/api/v1/lists`; editors read them to target campaigns, admins change them."""

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.params import Body, FromPath

from newsletters import lists
from newsletters.subscriber_schemas import ListIn, ListOut, ListPatch
from service.auth import requires


class ListController(Controller):
    """`/api/v1/lists`: editors read names, descriptions and counts (never who is on a list); admins
    add and change audiences. Subscribers stay admin-only (`/api/v1/subscribers`)."""

    path = "/api/v1/lists"
    tags = ["lists"]
    guards = [requires("editor")]

    @get("/", summary="Every list with its counts by status")
    async def list_lists(self) -> list[ListOut]:
        return await lists.list_lists()

    @post("/", summary="Add a list", guards=[requires("admin")])
    async def create_list(self, data: Annotated[ListIn, Body()]) -> ListOut:
        return await lists.create_list(data)

    @get("/{slug:str}", summary="One list")
    async def get_list(self, slug: FromPath[str]) -> ListOut:
        return await lists.get_list(slug)

    @patch("/{slug:str}", summary="Rename, describe, open or close a list", guards=[requires("admin")])
    async def change_list(self, slug: FromPath[str], data: Annotated[ListPatch, Body()]) -> ListOut:
        return await lists.change_list(slug, data)
