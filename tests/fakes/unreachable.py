"""A Slack that cannot be reached: a Web API base URL on a port nothing listens on."""

from __future__ import annotations

import socket


def closed_port_url() -> str:
    """The Web API base of a free local port: every connection to it is refused."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/api/"
