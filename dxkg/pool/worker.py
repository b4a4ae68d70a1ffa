"""A query worker process: run one Job at a time on the shared store and send back its Reply.

The result is serialized into a `Spool` (memory up to SPOOL_MEMORY bytes, then an unnamed
temporary file) while its rows are counted, so the status is known before the server sends a byte
and a large result never sits whole in memory. A small body goes back inside the Reply; a large
one as the spool's file descriptor, so the worker is free for the next query at once and the
server streams the file to the client at the client's pace.

After each reply the worker checks its memory (dxkg.pool.memory): past its budget, it says so in
the reply and exits, and the pool hands its jobs to a fresh worker forked from the zygote.
"""

from __future__ import annotations

import socket
import tempfile
from dataclasses import replace
from typing import IO, BinaryIO

import pyoxigraph as ox

from .. import sparql
from ..errors import DxkgError
from . import wire
from .job import Job, Reply
from .memory import MemoryBudget

SPOOL_MEMORY = 1 << 20


class Spool:
    """A write-only binary file: memory up to `max_memory` bytes, then an unnamed temporary file."""

    def __init__(self, max_memory: int = SPOOL_MEMORY) -> None:
        self.max_memory = max_memory
        self.file: IO[bytes] | None = None
        self._memory = bytearray()

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        if self.file is None:
            if len(self._memory) + len(data) <= self.max_memory:
                self._memory += data
                return len(data)
            self.file = tempfile.TemporaryFile()  # noqa: SIM115 - it outlives this call, handed to the server
            self.file.write(self._memory)
            self._memory = bytearray()
        return self.file.write(data)

    def flush(self) -> None:
        if self.file is not None:
            self.file.flush()

    def getvalue(self) -> bytes:
        """Return what was written, while it is still in memory."""
        return bytes(self._memory)

    def close(self) -> None:
        self._memory = bytearray()
        if self.file is not None:
            self.file.close()


def serve(sock: socket.socket, store: ox.Store, budget: MemoryBudget) -> None:
    """Answer jobs from `sock` until the server closes it, or until a reply past the memory budget."""
    while True:
        try:
            job = wire.recv(sock)
        except wire.PeerGone:
            return
        reply, file = answer(store, job)  # type: ignore[arg-type]
        retire = budget.exceeded()
        wire.send(sock, replace(reply, retire=True) if retire else reply)
        if file is not None:
            wire.send_fd(sock, file.fileno())
            file.close()
        if retire:  # the pool puts a fresh worker in its place; exiting gives all this memory back
            return


def answer(store: ox.Store, job: Job) -> tuple[Reply, BinaryIO | None]:
    """Run a job; return its Reply and, for a large body, the spooled file that goes with it."""
    try:
        if job.mode == "table":
            kind, table = sparql.table(store, job.request, job.limit)
            return Reply(kind=kind, rows=len(table.rows), table=table), None
        return _serialize(store, job)
    except DxkgError as exc:
        return Reply(error=type(exc).__name__, message=str(exc)), None
    except Exception as exc:  # noqa: BLE001 - the worker outlives one bad query; the server answers 500
        return Reply(error="QueryFailed", message=f"the query failed: {type(exc).__name__}: {exc}"), None


def _serialize(store: ox.Store, job: Job) -> tuple[Reply, BinaryIO | None]:
    result = sparql.execute(store, job.request)
    try:
        kind = sparql.result_kind(result)
        fmt = sparql.choose_format(kind, job.accept, job.format_values)
        spool = Spool()
        try:
            rows = sparql.write_result(result, fmt, spool, job.limit)
        except BaseException:
            spool.close()
            raise
    finally:
        del result  # dropped on this thread, the one it belongs to
    if spool.file is None:
        return Reply(kind=kind, format_name=fmt.name, rows=rows, body=spool.getvalue()), None
    spool.file.flush()
    return Reply(kind=kind, format_name=fmt.name, rows=rows, has_file=True), spool.file  # type: ignore[return-value]
