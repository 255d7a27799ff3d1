"""This process's Prometheus counters and histograms (the official `prometheus_client`).

One `Metrics` per process, built with its `Deps` and handed to the outbox sender and the WSGI
app; `bot.monitoring` serves them at `GET /metrics` with what the database says at scrape time.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Histogram,
)

SLACK_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    """This process's counters and histograms, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.slack_seconds = Histogram(
            "okr_slack_call_seconds", "Duration of the outbox sender's Slack Web API calls",
            ["method"], buckets=SLACK_BUCKETS, registry=r)
        self.rate_limited = Counter(
            "okr_slack_rate_limited", "Slack answers of 429 (ratelimited) to the outbox sender",
            registry=r)
        self.retries = Counter(
            "okr_outbox_retries",
            "Outbox rows put back to be sent again, by why (rate_limited, not_sent, ambiguous)",
            ["kind", "reason"], registry=r)
        self.outcomes = Counter(
            "okr_outbox_outcomes", "Outbox rows settled by this process (sent, failed, skipped)",
            ["kind", "outcome"], registry=r)
        self.http_requests = Counter(
            "okr_http_requests", "HTTP requests answered, by route, method and status code",
            ["route", "method", "code"], registry=r)
        self.http_seconds = Histogram(
            "okr_http_request_seconds", "Time to answer an HTTP request, by route",
            ["route"], buckets=HTTP_BUCKETS, registry=r)
