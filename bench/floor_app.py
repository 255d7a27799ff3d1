"""The floor of bench/latency.py: a bare Bolt app on the same server stack as `okr-bot serve`.

    .venv/bin/python bench/floor_app.py --port 3100 [--threads 8] [--inline]

Same waitress configuration (bot.http_server.serve: one process, its limits and threads),
same WSGI adapter (slack_bolt.adapter.wsgi.SlackRequestHandler), same signature check; every
listener acks with a fixed text and reads no database. `app_home_opened` publishes a fixed
one-block Home view (SLACK_API_URL), so the publish delay has a floor too. Bolt's default mode
(listeners on its thread pool, the ack polled for), unless `--inline`: each listener on the
request's thread, as `okr-bot serve` runs its own (`process_before_response`).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from slack_bolt import Ack, App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

from bench.benchlib import SIGNING_SECRET
from bot import ids
from bot.http_server import ServerLimits, serve

HOME = {"type": "home", "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "ok"}}]}


def build(*, process_before_response: bool = False,
          ) -> Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]:
    """The WSGI app of the floor server (listeners on Bolt's threads, Bolt's default, unless
    `process_before_response`)."""
    client = WebClient(token="xoxb-floor",  # noqa: S106 - a local benchmark's made-up token
                       base_url=os.environ.get("SLACK_API_URL", "http://127.0.0.1:9/api/"))
    app = App(client=client, signing_secret=SIGNING_SECRET, token_verification_enabled=False,
              raise_error_for_unhandled_request=False,
              process_before_response=process_before_response)

    @app.command(ids.COMMAND)
    def on_command(ack: Ack) -> None:
        ack("ok")

    @app.view(ids.CHECKIN_SUBMIT)
    def on_submit(ack: Ack) -> None:
        ack()

    @app.event("app_home_opened")
    def on_home(event: dict[str, Any]) -> None:
        client.views_publish(user_id=event["user"], view=HOME)

    handler = SlackRequestHandler(app, path="/slack/events")

    def wsgi(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") == "/healthz":
            start_response("200 OK", [("Content-Type", "text/plain")])
            return [b"ok"]
        return handler(environ, start_response)

    return wsgi


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3100)
    parser.add_argument("--threads", type=int, default=ServerLimits.threads)
    parser.add_argument("--inline", action="store_true",
                        help="listeners on the request's thread (process_before_response)")
    args = parser.parse_args()
    serve(build(process_before_response=args.inline), host=args.host, port=args.port,
          limits=ServerLimits(threads=args.threads))
    return 0


if __name__ == "__main__":
    sys.exit(main())
