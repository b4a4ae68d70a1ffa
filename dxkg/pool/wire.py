"""Messages between the server and its query processes: length-prefixed pickles on a Unix socket.

Both ends are dxkg's own processes (forked from the server), so pickle is safe here. A file
descriptor (a large spooled result) travels alone as SCM_RIGHTS ancillary data on a one-byte
message, read with `recv_fd` right after the message that announces it.
"""

from __future__ import annotations

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
    if not data:
        raise PeerGone("the peer closed the connection")
    if data != _FD_MARK or len(fds) != 1:
        for fd in fds:
            os.close(fd)
        raise ConnectionError("expected a file descriptor")
    return fds[0]


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

