"""Pool: a supervised set of query worker processes for one store version, with deadlines and a cap.

- Admission: at most `cap` queries in flight (running, or waiting for a free worker); past it
  `run` raises ServerBusy (503 with Retry-After) at once instead of queueing without bound.
- Deadline: a query has `query_timeout_s` from admission to its answer. At the deadline the server
  SIGKILLs the worker (pyoxigraph cannot be interrupted; only a process can be stopped), raises
  QueryTimeout (504), and the zygote's spare worker takes its place (it forks the next spare).
- Memory: a worker that holds more memory of its own than `worker_memory_mb` after a query says so
  in its reply and exits; it is replaced the same way (dxkg.pool.memory).
- A worker that dies mid-query (a crash in the store) costs that query a 500, never the server.
- Retirement after a reload: `retire(successor)` sends new queries to the successor, waits for
  the queries already running here, then stops the zygote, which takes its workers with it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import queue
import threading
import time

import pyoxigraph as ox

from .. import errors
from ..config import Settings
from ..errors import DxkgError, QueryFailed, QueryTimeout, ServerBusy, StoreUnavailable
from ..formats import BY_NAME
from . import wire
from .job import Answer, Job, Reply
from .zygote import WorkerProcess, Zygote, ZygoteLost

log = logging.getLogger("dxkg.pool")

RETRY_AFTER_S = 5
# After a worker's reply header, the spooled file follows at once; this only guards against a
# worker dying between the two.
FILE_GRACE_S = 10.0


class Pool:
    """Query worker processes sharing one store copy-on-write."""

    def __init__(self, store: ox.Store, settings: Settings) -> None:
        self.timeout = settings.query_timeout_s
        self.size = settings.query_workers
        self.cap = settings.queries_in_flight_cap
        self.replacements = 0
        self.retirements = 0
        self._memory_limit = None if settings.worker_memory_mb is None else settings.worker_memory_mb << 20
        self._store: ox.Store | None = store
        self._zygote = Zygote.fork(store, self._memory_limit)
        self._idle: queue.Queue[WorkerProcess] = queue.Queue()
        self._workers: set[WorkerProcess] = set()
        self._lock = threading.Lock()
        self._respawn = threading.Lock()
        self._drained = threading.Condition(self._lock)
        self._in_flight = 0
        self._successor: Pool | None = None
        self._closed = False

    @classmethod
    def start(cls, store: ox.Store, settings: Settings) -> Pool:
        """Fork a zygote for `store` and `settings.query_workers` workers; return when they are ready."""
        pool = cls(store, settings)
        try:
            for _ in range(pool.size):
                pool._add(pool._zygote.spawn())
        except BaseException:
            pool.close()
            raise
        return pool

    # --- running queries

    def run(self, job: Job) -> Answer:
        """Run a job on a worker; raise ServerBusy, QueryTimeout, QueryFailed or the query's own DxkgError."""
        deadline = time.monotonic() + self.timeout
        successor = self._admit()
        if successor is not None:  # retired after a reload: the new version answers
            return successor.run(job)
        try:
            return self._run(job, deadline)
        finally:
            self._leave()

    async def run_async(self, job: Job) -> Answer:
        """`run` for the event loop: no thread is held while the worker runs the query.

        A free worker is taken at once; only when every worker is busy does the wait for one
        move to a thread (the idle queue is shared with `run`)."""
        deadline = time.monotonic() + self.timeout
        successor = self._admit()
        if successor is not None:
            return await successor.run_async(job)
        try:
            return await self._run_async(job, deadline)
        finally:
            self._leave()

    def _admit(self) -> Pool | None:
        """Count a query in, or return the successor that takes it, or raise ServerBusy / StoreUnavailable."""
        with self._lock:
            if self._successor is not None:
                return self._successor
            if self._closed:
                raise StoreUnavailable("the query workers are shutting down")
            if self._in_flight >= self.cap:
                raise ServerBusy(f"{self._in_flight} queries are running, the most this endpoint takes at "
                                 f"once; try again in a few seconds", RETRY_AFTER_S)
            self._in_flight += 1
            return None

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
            self._drained.notify_all()

    def _run(self, job: Job, deadline: float) -> Answer:
        while True:
            worker = self._take(deadline)
            try:
                wire.send(worker.sock, job)
            except OSError:  # it died while idle, before seeing this job: another one can take it
                self._lose(worker)
                continue
            try:
                reply = wire.recv(worker.sock, deadline)
                answer = self._answer(worker, reply, deadline)  # type: ignore[arg-type]
            except OSError as exc:  # TimeoutError included
                raise self._unfinished(worker, exc) from None
            return self._settle(worker, answer, reply.retire)  # type: ignore[attr-defined]

    async def _run_async(self, job: Job, deadline: float) -> Answer:
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                worker = await self._take_async(deadline)
            try:
                await wire.send_async(worker.sock, job)
            except OSError:
                self._lose(worker)
                continue
            try:
                async with asyncio.timeout_at(_loop_time(deadline)):
                    reply = await wire.recv_async(worker.sock)
                    answer = await self._answer_async(worker, reply)  # type: ignore[arg-type]
            except OSError as exc:  # TimeoutError included
                raise self._unfinished(worker, exc) from None
            except BaseException:  # cancelled (the client went away): the worker's state is unknown
                self._lose(worker, kill=True)
                raise
            return self._settle(worker, answer, reply.retire)  # type: ignore[attr-defined]

    async def _take_async(self, deadline: float) -> WorkerProcess:
        """Wait on a thread for a worker to come free; one handed over after a cancellation goes back."""
        taking = asyncio.get_running_loop().run_in_executor(None, self._take, deadline)
        try:
            return await asyncio.shield(taking)
        except asyncio.CancelledError:
            taking.add_done_callback(lambda f: f.cancelled() or f.exception() or self._idle.put(f.result()))
            raise

    def _settle(self, worker: WorkerProcess, answer: Answer | DxkgError, retire: bool) -> Answer:
        """Give the worker back, or let it go if it retires, and return its answer (or raise the query's error)."""
        if retire:  # past its memory budget it exits after this reply; the zygote's spare replaces it
            with self._lock:
                self.retirements += 1
            self._lose(worker)
        else:
            self._idle.put(worker)
        if isinstance(answer, DxkgError):
            raise answer
        return answer

    def _unfinished(self, worker: WorkerProcess, exc: OSError) -> DxkgError:
        """Let go of a worker whose query did not finish; return what the caller gets: past the
        deadline the worker is killed (504), else it has died (500)."""
        if isinstance(exc, TimeoutError):
            self._lose(worker, kill=True)
            return QueryTimeout(f"the query ran past the time limit of {self.timeout:g} s and was stopped; "
                                "make it more selective, or add LIMIT")
        self._lose(worker)
        return QueryFailed("the query worker ended while running this query")

    def _take(self, deadline: float) -> WorkerProcess:
        try:
            return self._idle.get(timeout=max(deadline - time.monotonic(), 0.0))
        except queue.Empty:
            raise ServerBusy(f"every query worker stayed busy for {self.timeout:g} s; try again in a few seconds",
                             RETRY_AFTER_S) from None

    def _answer(self, worker: WorkerProcess, reply: Reply, deadline: float) -> Answer | DxkgError:
        if reply.error is not None:
            return _error(reply)
        fd = wire.recv_fd(worker.sock, max(deadline, time.monotonic() + FILE_GRACE_S)) if reply.has_file else None
        return _answer_of(reply, fd)

    async def _answer_async(self, worker: WorkerProcess, reply: Reply) -> Answer | DxkgError:
        if reply.error is not None:
            return _error(reply)
        fd = await wire.recv_fd_async(worker.sock) if reply.has_file else None
        return _answer_of(reply, fd)

    # --- supervision

    def _add(self, worker: WorkerProcess) -> None:
        with self._lock:
            closed = self._closed
            if not closed:
                self._workers.add(worker)
        if closed:
            worker.kill()
            worker.close()
        else:
            self._idle.put(worker)

    def _lose(self, worker: WorkerProcess, kill: bool = False) -> None:
        """Forget a worker (killing it first if asked) and fork its replacement in the background."""
        if kill:
            worker.kill()
        worker.close()
        with self._lock:
            self._workers.discard(worker)
            if self._closed:
                return
            self.replacements += 1
        threading.Thread(target=self._replace, name="dxkg-pool-replace", daemon=True).start()

    def _replace(self) -> None:
        zygote = self._zygote
        try:
            self._add(zygote.spawn())
            return
        except (ZygoteLost, OSError) as exc:
            log.error("could not fork a query worker: %s", exc)
        # Last resort: a new zygote forked from the server itself (normally the zygote never dies).
        with self._respawn:
            with self._lock:
                store = None if self._closed else self._store
            if store is None:
                return
            if self._zygote is zygote:
                zygote.stop()
                self._zygote = Zygote.fork(store, self._memory_limit)
        try:
            self._add(self._zygote.spawn())
        except (ZygoteLost, OSError) as exc:
            log.error("could not fork a query worker; the pool is short of one: %s", exc)

    # --- lifecycle

    def pids(self) -> list[int]:
        """Return the pids of the live workers."""
        with self._lock:
            return sorted(w.pid for w in self._workers)

    @property
    def zygote_pid(self) -> int:
        return self._zygote.pid

    @property
    def in_flight(self) -> int:
        return self._in_flight

    def retire(self, successor: Pool) -> None:
        """Send new queries to `successor`, wait for the ones running here, then close."""
        with self._lock:
            self._successor = successor
            deadline = time.monotonic() + self.timeout + FILE_GRACE_S
            while self._in_flight and time.monotonic() < deadline:
                self._drained.wait(timeout=max(deadline - time.monotonic(), 0.0))
        self.close()

    def close(self) -> None:
        """Stop the zygote and every worker now; queries still running here fail."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            workers = list(self._workers)
            self._workers.clear()
            self._store = None
        self._zygote.stop()  # it SIGKILLs its workers before exiting
        for worker in workers:
            worker.close()


def _answer_of(reply: Reply, fd: int | None) -> Answer:
    """Return the Answer a worker's reply stands for; `fd` is its spooled body, when it has one."""
    file = None
    if fd is not None:
        file = os.fdopen(fd, "rb")
        file.seek(0)
    fmt = BY_NAME[reply.format_name] if reply.format_name else None
    return Answer(kind=reply.kind or "results", fmt=fmt, rows=reply.rows, body=reply.body, file=file, table=reply.table)


def _loop_time(deadline: float) -> float:
    """Return a time.monotonic() deadline on the running loop's clock."""
    return asyncio.get_running_loop().time() + (deadline - time.monotonic())


def _error(reply: Reply) -> DxkgError:
    """Return the DxkgError a worker raised, rebuilt from its class name and message."""
    cls = getattr(errors, reply.error or "", None)
    if not (isinstance(cls, type) and issubclass(cls, DxkgError)) or cls in (errors.LoadError, ServerBusy):
        cls = QueryFailed
    return cls(reply.message)
