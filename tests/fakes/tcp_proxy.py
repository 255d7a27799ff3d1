"""A TCP proxy on 127.0.0.1 that a test can cut and restore: the database "goes away" for the
app behind it while the real server keeps running for everyone else.

    proxy = TcpProxy("127.0.0.1", 5432).start()
    url = f"postgresql://postgres@127.0.0.1:{proxy.port}/test_x"
    proxy.cut()      # open connections are reset, new ones are refused at once
    proxy.restore()  # new connections reach the server again
"""

from __future__ import annotations

import contextlib
import selectors
import socket
import struct
import threading


class TcpProxy:
    """Forwards every connection to (host, port) while up; a cut closes them all."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port: int = self._listener.getsockname()[1]
        self._up = threading.Event()
        self._up.set()
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._stopped = threading.Event()

    def start(self) -> TcpProxy:
        threading.Thread(target=self._accept, daemon=True).start()
        return self

    def cut(self) -> None:
        """Reset every open connection and refuse new ones until `restore()`."""
        self._up.clear()
        with self._lock:
            for sock in self._open:
                with contextlib.suppress(OSError):
                    # Linger 0: close with a reset, as a crashed server or a cut cable would.
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    sock.close()
            self._open.clear()

    def restore(self) -> None:
        self._up.set()

    def stop(self) -> None:
        self._stopped.set()
        self.cut()
        self._listener.close()

    def _accept(self) -> None:
        while not self._stopped.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            if not self._up.is_set():
                client.close()  # refused: the driver fails at once instead of waiting
                continue
            try:
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open.update((client, upstream))
            threading.Thread(target=self._pipe, args=(client, upstream), daemon=True).start()

    def _pipe(self, a: socket.socket, b: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(a, selectors.EVENT_READ, b)
        selector.register(b, selectors.EVENT_READ, a)
        try:
            while True:
                for key, _ in selector.select():
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except (OSError, ValueError):
            return
        finally:
            selector.close()
            with self._lock:
                self._open.discard(a)
                self._open.discard(b)
            for sock in (a, b):
                with contextlib.suppress(OSError):
                    sock.close()
