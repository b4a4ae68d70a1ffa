"""Messages between the server and its query processes: length-prefixed pickles on a Unix socket.

Both ends are dxkg's own processes (forked from the server), so pickle is safe here. A file
descriptor (a large spooled result) travels alone as SCM_RIGHTS ancillary data on a one-byte
message, read with `recv_fd` right after the message that announces it.

The server talks to a worker either from a thread (`send`, `recv`, `recv_fd`: blocking, with a
deadline) or from the event loop (`send_async`, `recv_async`, `recv_fd_async`: the socket in
non-blocking mode, the deadline applied by the caller); each call sets the mode it needs.
"""

from __future__ import annotations

import asyncio
import os
import pickle
import socket
import struct
import time

_LENGTH = struct.Struct("!I")
_FD_MARK = b"F"


class PeerGone(ConnectionError):
    """The process at the other end closed the socket (it exited or was killed)."""


def send(sock: socket.socket, message: object) -> None:
    """Send one message (blocking)."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.settimeout(None)
    sock.sendall(_LENGTH.pack(len(data)) + data)


def recv(sock: socket.socket, deadline: float | None = None) -> object:
    """Return the next message; raise PeerGone at end of stream, TimeoutError past `deadline` (monotonic)."""
    (length,) = _LENGTH.unpack(_exactly(sock, _LENGTH.size, deadline))
    return pickle.loads(_exactly(sock, length, deadline))


def send_fd(sock: socket.socket, fd: int) -> None:
    """Send an open file descriptor; the receiver gets its own copy of it."""
    sock.settimeout(None)
    socket.send_fds(sock, [_FD_MARK], [fd])


def recv_fd(sock: socket.socket, deadline: float | None = None) -> int:
    """Return a file descriptor sent with `send_fd`."""
    _settimeout(sock, deadline)
    data, fds, _flags, _addr = socket.recv_fds(sock, 1, 1)
    return _received_fd(data, fds)


async def send_async(sock: socket.socket, message: object) -> None:
    """Send one message from the event loop."""
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    sock.setblocking(False)
    await asyncio.get_running_loop().sock_sendall(sock, _LENGTH.pack(len(data)) + data)


async def recv_async(sock: socket.socket) -> object:
    """Return the next message, read on the event loop; raise PeerGone at end of stream."""
    sock.setblocking(False)
    (length,) = _LENGTH.unpack(await _exactly_async(sock, _LENGTH.size))
    return pickle.loads(await _exactly_async(sock, length))


async def recv_fd_async(sock: socket.socket) -> int:
    """Return a file descriptor sent with `send_fd`, waiting on the event loop until it arrives."""
    sock.setblocking(False)
    loop = asyncio.get_running_loop()
    while True:
        try:
            data, fds, _flags, _addr = socket.recv_fds(sock, 1, 1)
            break
        except BlockingIOError:
            readable = loop.create_future()
            loop.add_reader(sock.fileno(), _wake, readable)
            try:
                await readable
            finally:
                loop.remove_reader(sock.fileno())
    return _received_fd(data, fds)


def _received_fd(data: bytes, fds: list[int]) -> int:
    """Return the descriptor of a `send_fd` message; raise PeerGone at end of stream."""
    if not data:
        raise PeerGone("the peer closed the connection")
    if data != _FD_MARK or len(fds) != 1:
        for fd in fds:
            os.close(fd)
        raise ConnectionError("expected a file descriptor")
    return fds[0]


def _wake(future: asyncio.Future) -> None:
    if not future.done():
        future.set_result(None)


async def _exactly_async(sock: socket.socket, size: int) -> bytes:
    loop = asyncio.get_running_loop()
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        n = await loop.sock_recv_into(sock, view[got:])
        if n == 0:
            raise PeerGone("the peer closed the connection")
        got += n
    return bytes(buffer)


def _exactly(sock: socket.socket, size: int, deadline: float | None) -> bytes:
    buffer = bytearray(size)
    view = memoryview(buffer)
    got = 0
    while got < size:
        _settimeout(sock, deadline)
        n = sock.recv_into(view[got:])
        if n == 0:
            raise PeerGone("the peer closed the connection")
        got += n
    return bytes(buffer)


def _settimeout(sock: socket.socket, deadline: float | None) -> None:
    if deadline is None:
        sock.settimeout(None)
        return
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise TimeoutError("deadline reached")
    sock.settimeout(remaining)

