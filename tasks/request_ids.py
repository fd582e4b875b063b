"""The id of the request being served, carried from the API into the jobs it enqueues and their logs."""

from contextvars import ContextVar
from typing import Final

request_id_var: Final[ContextVar[str]] = ContextVar("request_id", default="")
# The keyword a job carries its request id in; `measured` takes it off before the job runs, so job
# functions never see it (the leading underscore keeps it apart from the jobs' own arguments).
REQUEST_ID_KWARG: Final = "_request_id"
