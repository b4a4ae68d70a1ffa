"""Zygote: a single-threaded process, forked from the server once per loaded store, that forks workers.

Why a zygote. A worker must share the store with the server copy-on-write, so it has to be forked
from a process holding the store. The server is threaded (event loop, thread pool, page queries
that may hold pyoxigraph's locks at any moment), and a fork copies memory but only the forking
thread, so a lock another thread held stays held forever in the child. The zygote is forked once,
right after a store is loaded and before anything else touches that store, from a brand-new thread
(so it also inherits no thread-local state, such as the random generator behind RAND(), UUID() and
blank nodes, which every worker would otherwise share). It then does nothing but fork workers on
request, from a clean single-threaded state, for as long as that store is in service. It closes
every file descriptor it inherited (the listening socket, client connections) so that the server
alone owns them.

Protocol on the control socket: the server writes one byte per worker it wants; the zygote answers
with the worker's pid and the server's end of the worker's socket (SCM_RIGHTS). It keeps one worker
forked ahead, so a worker that is killed at its deadline or retires past its memory budget is
replaced without waiting for a fork (about 20 ms at 1 M triples: the page tables of the whole store
are copied); the spare is forked again right after it is handed out. The zygote reaps its workers
as they die (SIGCHLD), so a killed worker's pid disappears at once. When the control socket closes
(the pool is retired, or the server died) the zygote kills its workers and exits.

Each worker gets a memory budget (dxkg.pool.memory): `memory_limit` bytes, or when None the
zygote's own resident size, which is about the size of the store it shares.
"""

from __future__ import annotations

import gc
import os
import select
import signal
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pyoxigraph as ox

from . import worker
from .memory import MemoryBudget, resident_bytes

_PID = struct.Struct("!i")
SPAWN_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 5.0


class ZygoteLost(ConnectionError):
    """The zygote process is gone; a new one must be forked from the server."""


@dataclass(eq=False)
class WorkerProcess:
    """The server's handle on one worker: its pid, a pidfd when the kernel has them, and its socket."""

    pid: int
    sock: socket.socket
    pidfd: int | None = field(default=None)

    def kill(self) -> None:
        """SIGKILL the worker (through its pidfd, so the signal cannot reach a recycled pid)."""
        try:
            if self.pidfd is not None:
                signal.pidfd_send_signal(self.pidfd, signal.SIGKILL)
            else:
                os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass

    def close(self) -> None:
        """Close the server's end; an idle worker exits when it sees the end of its socket."""
        self.sock.close()
        if self.pidfd is not None:
            os.close(self.pidfd)
            self.pidfd = None


class Zygote:
    """The server's handle on a zygote process."""

    def __init__(self, pid: int, ctrl: socket.socket) -> None:
        self.pid = pid
        self._ctrl = ctrl
        self._lock = threading.Lock()

    @classmethod
    def fork(cls, store: ox.Store, memory_limit: int | None = None) -> Zygote:
        """Fork a zygote holding `store` (call it before anything else queries that store).

        Its workers retire past `memory_limit` bytes of their own (0: never; None: the zygote's size).
        """
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        keep = theirs.fileno()
        try:
            pid = fork_from_fresh_thread(lambda: _zygote_main(socket.socket(fileno=keep), store, memory_limit),
                                         keep={keep})
        finally:
            theirs.close()
        return cls(pid, ours)

    def spawn(self) -> WorkerProcess:
        """Return a new worker, forked by the zygote."""
        with self._lock:
            try:
                self._ctrl.settimeout(SPAWN_TIMEOUT_S)
                self._ctrl.sendall(b"S")
                data, fds, _flags, _addr = socket.recv_fds(self._ctrl, _PID.size, 1)
            except OSError as exc:
                raise ZygoteLost(f"the zygote is gone: {exc}") from None
        if len(data) != _PID.size:
            for fd in fds:
                os.close(fd)
            raise ZygoteLost("the zygote is gone")
        (pid,) = _PID.unpack(data)
        if pid < 0 or len(fds) != 1:
            raise OSError(-pid, f"the zygote could not fork a worker: {os.strerror(-pid)}")
        os.set_inheritable(fds[0], False)
        sock = socket.socket(fileno=fds[0])
        return WorkerProcess(pid, sock, _pidfd(pid))

    def stop(self) -> None:
        """Close the control socket (the zygote then kills its workers and exits) and reap the zygote."""
        self._ctrl.close()
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                done, _status = os.waitpid(self.pid, os.WNOHANG)
            except ChildProcessError:
                return
            if done:
                return
            time.sleep(0.01)
        os.kill(self.pid, signal.SIGKILL)
        os.waitpid(self.pid, 0)


def fork_from_fresh_thread(child: Callable[[], None], keep: set[int]) -> int:
    """Fork from a new thread; the child closes every fd but `keep` (and 0-2), runs `child`, and exits."""
    outcome: dict[str, object] = {}

    def fork() -> None:
        try:
            pid = os.fork()
        except OSError as exc:
            outcome["error"] = exc
            return
        if pid == 0:
            _run_child(child, keep)
        outcome["pid"] = pid

    thread = threading.Thread(target=fork, name="dxkg-zygote-fork", daemon=True)
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]  # type: ignore[misc]
    return outcome["pid"]  # type: ignore[return-value]


def _run_child(child: Callable[[], None], keep: set[int]) -> None:
    """The first thing a forked child does; it never returns into the caller's stack."""
    status = 0
    try:
        _detach(keep)
        child()
    except BaseException:  # noqa: BLE001 - nothing may unwind into the copy of the parent's stack
        status = 1
    finally:
        os._exit(status)


def _detach(keep: set[int]) -> None:
    """Leave the parent's world: its signal handling, its garbage, its file descriptors."""
    signal.set_wakeup_fd(-1)  # the event loop's wake-up pipe is the parent's
    for sig in (signal.SIGINT, signal.SIGHUP):
        signal.signal(sig, signal.SIG_IGN)  # the server handles these and then retires the pool
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    # Objects inherited from the parent are never collected here: collecting them would dirty their
    # pages (undoing the copy-on-write sharing) and could close file descriptors we now reuse.
    gc.freeze()
    _close_fds_except(keep | {0, 1, 2})


def _close_fds_except(keep: set[int]) -> None:
    """Let go of every inherited file but `keep`, leaving /dev/null at each number instead of a hole.

    The numbers stay taken because fork handlers keep theirs: libuv (under uvloop) reopens its
    signal pipe in every forked child and, at the next fork, closes the numbers it remembers. Were
    those numbers free, this process would reuse them for its own sockets, and the next child
    would start with its socket closed under it.
    """
    try:
        open_fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:
        open_fds = list(range(os.sysconf("SC_OPEN_MAX")))
    null = os.open(os.devnull, os.O_RDWR | os.O_CLOEXEC)
    try:
        for fd in open_fds:
            if fd in keep or fd == null:
                continue
            try:
                os.fstat(fd)  # still open (the listing's own descriptor is not)
                os.dup2(null, fd, inheritable=False)
            except OSError:
                pass
    finally:
        os.close(null)


def _zygote_main(ctrl: socket.socket, store: ox.Store, memory_limit: int | None) -> None:
    limit = resident_bytes() if memory_limit is None else memory_limit
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.signal(signal.SIGCHLD, lambda signum, frame: None)
    signal.set_wakeup_fd(wake_w)  # a SIGCHLD wakes select() up, so dead workers are reaped at once
    children: set[int] = set()
    spare: _Forked | OSError | None = None
    try:
        while True:
            ready, _, _ = select.select([ctrl, wake_r], [], [])
            if wake_r in ready:
                _drain(wake_r)
                _reap(children)
            if ctrl in ready:
                requests = ctrl.recv(64)
                if not requests:
                    return
                for _ in requests:
                    if not isinstance(spare, _Forked) or spare.pid not in children:  # none, or it died waiting
                        if isinstance(spare, _Forked):
                            spare.sock.close()
                        spare = _fork_worker(store, limit, children)
                    _hand_over(ctrl, spare)
                    spare = _fork_worker(store, limit, children)
    finally:
        if isinstance(spare, _Forked):
            spare.sock.close()
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for pid in children:
            try:
                os.waitpid(pid, 0)
            except ChildProcessError:
                pass


@dataclass(frozen=True)
class _Forked:
    """A worker forked by the zygote and not yet handed over: its pid and the server's end of its socket."""

    pid: int
    sock: socket.socket


def _fork_worker(store: ox.Store, memory_limit: int, children: set[int]) -> _Forked | OSError:
    """Fork a worker; return it, or the OSError that kept it from being forked."""
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    keep = theirs.fileno()
    try:
        pid = os.fork()
    except OSError as exc:
        ours.close()
        theirs.close()
        return exc
    if pid == 0:
        _run_child(lambda: worker.serve(socket.socket(fileno=keep), store, MemoryBudget(memory_limit)), keep={keep})
    theirs.close()
    children.add(pid)
    return _Forked(pid, ours)


def _hand_over(ctrl: socket.socket, forked: _Forked | OSError) -> None:
    """Send the server a worker's pid and socket (or the errno of the fork that failed)."""
    if isinstance(forked, OSError):
        ctrl.sendall(_PID.pack(-(forked.errno or 1)))
        return
    socket.send_fds(ctrl, [_PID.pack(forked.pid)], [forked.sock.fileno()])
    forked.sock.close()


def _reap(children: set[int]) -> None:
    while children:
        try:
            pid, _status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            children.clear()
            return
        if pid == 0:
            return
        children.discard(pid)


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 512):
            pass
    except BlockingIOError:
        pass


def _pidfd(pid: int) -> int | None:
    try:
        return os.pidfd_open(pid)
    except (AttributeError, OSError):
        return None
