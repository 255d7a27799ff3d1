"""Reading raw HTTP off a socket, for tests that speak the protocol by hand."""

from __future__ import annotations

import socket

END_OF_HEAD = b"\r\n\r\n"


def read_head(sock: socket.socket) -> bytes:
    """Bytes until the blank line that ends an HTTP head, or until the peer closes (then the
    head is incomplete: no END_OF_HEAD in it)."""
    data = b""
    while END_OF_HEAD not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return data
