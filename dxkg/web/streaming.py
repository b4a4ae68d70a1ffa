"""stream(produce, ...): a StreamingResponse fed by a serializer running in a worker thread;
answer_response(answer, ...): a query's answer from a worker process, whole or from its spool file.

Design, and why:

- pyoxigraph evaluates lazily, while its serializer pulls the result, and releases the GIL while
  it works; its result objects belong to the thread that ran the query (touching one from another
  thread aborts the process). So one worker thread runs the query *and* the serializer, whose
  output is a `Channel`: a file-like whose `write` hands chunks to the event loop.
- The channel is bounded (`max_chunks` chunks of about `CHUNK_SIZE` bytes): a slow client slows
  the worker down instead of filling memory, and nothing builds the whole answer first.
- A response's status is sent with its first byte. Everything that can fail with a client
  error must therefore be settled before streaming starts. SPARQL queries are settled in a query
  process (dxkg.pool), which serializes the whole answer into a spool before replying; a large
  spool arrives as an open file and is copied to the client through a channel like any producer.
  What can still fail afterwards (the client goes away, the disk breaks) ends the stream
  abruptly: the connection closes without the final chunk, so no client can take a partial
  answer for a whole one; the error is logged.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from functools import partial
from typing import BinaryIO

from starlette.responses import Response, StreamingResponse

from ..pool import Answer

log = logging.getLogger("dxkg.streaming")

CHUNK_SIZE = 64 * 1024
MAX_CHUNKS = 16
_POLL_S = 0.25


class ClientGone(OSError):
    """The response was abandoned (client disconnected); the producer should stop."""


class StreamAborted(Exception):
    """The producer failed after the response had started."""


class _End:
    __slots__ = ("error",)

    def __init__(self, error: BaseException | None) -> None:
        self.error = error


class Channel:
    """A bounded, single-producer pipe: `write` on a worker thread, `chunks()` on the event loop."""

    def __init__(self, loop: asyncio.AbstractEventLoop, max_chunks: int = MAX_CHUNKS) -> None:
        self._loop = loop
        self._queue: asyncio.Queue[bytes | _End] = asyncio.Queue()
        self._free = threading.Semaphore(max_chunks)
        self._closed = threading.Event()
        self._buffer = bytearray()

    # --- worker side: a binary file-like for serializers

    def writable(self) -> bool:
        return True

    def write(self, data: bytes) -> int:
        if self._closed.is_set():
            raise ClientGone("the client is gone")
        self._buffer += data
        if len(self._buffer) >= CHUNK_SIZE:
            self._send(bytes(self._buffer))
            self._buffer.clear()
        return len(data)

    def flush(self) -> None:
        """Kept for file-like compatibility; chunks go out when full or at the end."""

    def finish(self, error: BaseException | None = None) -> None:
        """Send what is buffered and mark the end (with the error that ended it, if any)."""
        if error is None and self._buffer and not self._closed.is_set():
            self._send(bytes(self._buffer))
        self._buffer.clear()
        self._post(_End(error))

    def _send(self, chunk: bytes) -> None:
        while not self._free.acquire(timeout=_POLL_S):  # back-pressure from a slow client
            if self._closed.is_set():
                raise ClientGone("the client is gone")
        self._post(chunk)

    def _post(self, item: bytes | _End) -> None:
        try:
            self._loop.call_soon_threadsafe(self._queue.put_nowait, item)
        except RuntimeError:  # the event loop has closed: the server is shutting down
            self._closed.set()
            raise ClientGone("the server is shutting down") from None

    # --- event-loop side

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def close(self) -> None:
        """Tell the worker nobody is reading any more."""
        self._closed.set()

    async def chunks(self) -> AsyncIterator[bytes]:
        """Yield chunks until the producer ends; raise StreamAborted if it failed."""
        while True:
            item = await self._queue.get()
            if isinstance(item, _End):
                if item.error is not None:
                    raise StreamAborted(str(item.error)) from item.error
                return
            self._free.release()
            yield item


def _produce(produce: Callable[[BinaryIO], None], channel: Channel, what: str) -> None:
    try:
        produce(channel)  # type: ignore[arg-type]
    except Exception as exc:  # noqa: BLE001 - reported to the loop, which aborts the response
        if channel.closed:
            return
        log.error("%s failed after the response started: %s", what, exc)
        try:
            channel.finish(exc)
        except ClientGone:
            pass
        return
    try:
        channel.finish()
    except ClientGone:
        pass


def stream(produce: Callable[[BinaryIO], None], media_type: str, headers: Mapping[str, str],
           what: str = "a streamed response") -> StreamingResponse:
    """Return a response whose body `produce(out)` writes into `out` on a worker thread.

    `produce` must do all its store work itself (on that thread); `what` names it in the log.
    """

    async def body() -> AsyncIterator[bytes]:
        loop = asyncio.get_running_loop()
        channel = Channel(loop)
        loop.run_in_executor(None, _produce, produce, channel, what)
        try:
            async for chunk in channel.chunks():
                yield chunk
        finally:
            channel.close()

    return StreamingResponse(body(), media_type=media_type, headers=dict(headers))


def answer_response(answer: Answer, headers: Mapping[str, str]) -> Response:
    """Return a query's serialized answer: in one piece when it was small, else streamed from its spool."""
    if answer.fmt is None:
        raise ValueError("a table answer has no body to send")
    if answer.file is None:
        return Response(answer.body or b"", media_type=answer.fmt.media_type, headers=dict(headers))
    return stream(partial(_copy, answer.file), answer.fmt.media_type, headers, what="a spooled query result")


def _copy(file: BinaryIO, out: BinaryIO) -> None:
    with file:
        while chunk := file.read(CHUNK_SIZE):
            out.write(chunk)
