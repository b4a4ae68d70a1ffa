"""Job, Reply, Answer: a query for a worker process, what the worker sends back, what the caller gets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Literal

from ..formats import Format, Kind
from ..result_table import ResultTable
from ..sparql import QueryRequest

Mode = Literal["data", "table"]


@dataclass(frozen=True, slots=True)
class Job:
    """A query to run: `data` serializes the whole result (at most `limit` rows) in the format chosen
    from `accept` / `format_values` once its kind is known; `table` returns its first `limit` rows
    with labels, for an HTML page."""

    request: QueryRequest
    mode: Mode
    limit: int
    accept: str | None = None
    format_values: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Reply:
    """A worker's answer to a Job: the result (small bodies inline, large ones follow as a file
    descriptor) or the DxkgError it raised, by class name; `retire`: the worker exits after this
    reply (it holds more memory than its budget) and takes no more jobs."""

    kind: Kind | None = None
    format_name: str | None = None
    rows: int = 0
    body: bytes | None = None
    has_file: bool = False
    table: ResultTable | None = None
    error: str | None = None
    message: str = ""
    retire: bool = False


@dataclass(frozen=True, slots=True)
class Answer:
    """A finished query, for the route: the serialized body in memory or in an unnamed file (read it
    from its start, then close it), or the table of an HTML page."""

    kind: Kind
    fmt: Format | None
    rows: int
    body: bytes | None = None
    file: BinaryIO | None = None
    table: ResultTable | None = None

    def close(self) -> None:
        """Release the spooled body when it is not sent (HEAD)."""
        if self.file is not None:
            self.file.close()
