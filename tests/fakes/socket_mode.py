"""A stand-in for Slack's Socket Mode WebSocket endpoint, on 127.0.0.1: it completes the
WebSocket handshake (RFC 6455), answers pings with pongs and holds each connection open, so a
real `okr-bot socket` can connect without reaching Slack. It sends no events."""

from __future__ import annotations

import base64
import hashlib
import socket
import struct
import threading

from tests.fakes.wire import END_OF_HEAD, read_head

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
_PING, _PONG, _CLOSE = 0x9, 0xA, 0x8


class SocketModeStandIn:
    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.url = f"ws://127.0.0.1:{self._listener.getsockname()[1]}/link"
        self.connections = 0
        self._stopped = threading.Event()

    def start(self) -> SocketModeStandIn:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._listener.accept()
            except OSError:
                return
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        try:
            self._talk(conn)
        except OSError:  # the client went away
            return

    def _talk(self, conn: socket.socket) -> None:
        with conn:
            request = read_head(conn)
            if END_OF_HEAD not in request:
                return
            key = next(line.split(b":", 1)[1].strip() for line in request.split(b"\r\n")
                       if line.lower().startswith(b"sec-websocket-key:"))
            accept = base64.b64encode(hashlib.sha1(key + _GUID.encode()).digest())  # noqa: S324
            conn.sendall(b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                         b"Connection: Upgrade\r\nSec-WebSocket-Accept: " + accept + b"\r\n\r\n")
            self.connections += 1
            while not self._stopped.is_set():
                frame = _read_frame(conn)
                if frame is None:
                    return
                opcode, payload = frame
                if opcode == _PING:
                    conn.sendall(bytes([0x80 | _PONG, len(payload)]) + payload)
                elif opcode == _CLOSE:
                    return


def _read_frame(conn: socket.socket) -> tuple[int, bytes] | None:
    """One client frame (clients always mask), or None when the connection ended."""
    head = _read(conn, 2)
    if head is None:
        return None
    opcode, length = head[0] & 0x0F, head[1] & 0x7F
    if length == 126:
        extended = _read(conn, 2)
        length = struct.unpack("!H", extended)[0] if extended else 0
    elif length == 127:
        extended = _read(conn, 8)
        length = struct.unpack("!Q", extended)[0] if extended else 0
    mask = _read(conn, 4) or b"\0\0\0\0"
    data = _read(conn, length) or b""
    return opcode, bytes(b ^ mask[i % 4] for i, b in enumerate(data))


def _read(conn: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = conn.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data
