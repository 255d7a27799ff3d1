"""`okr-bot token create|list|revoke`: the secret is shown once (stdout, alone), works over
HTTP, never appears in `list`, the logs or the database, and revoking takes effect at once."""

from __future__ import annotations

import logging

import pytest
from sqlmodel import select

from bot.cli import main
from bot.clock import FakeClock
from storage.models import ApiToken, AuditLog
from tests.scenarios.api_client import key_path, post_value
from tests.scenarios.api_world import ApiWorld, make_api_world
from tests.scenarios.conftest import Harness


@pytest.fixture
def world(
    harness: Harness, clock: FakeClock, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> ApiWorld:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return make_api_world(harness.deps.db, clock)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["--verbose", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def tokens(harness: Harness) -> list[ApiToken]:
    with harness.deps.db.read() as session:
        return list(session.exec(select(ApiToken).order_by(ApiToken.id)))  # type: ignore[arg-type]


def test_created_secret_is_printed_once_and_works_over_http(
    harness: Harness, world: ApiWorld, capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)

    code, out, err = run(capsys, "token", "create", "--name", "crm", "--kr", "mkt.leads",
                         "--kr", "cs.nps", "--kr", "mkt.leads")

    assert code == 0
    secret = out.strip()
    assert out == secret + "\n" and secret.startswith("okr_")
    assert "Created API token 'crm' for KRs cs.nps, mkt.leads." in err
    assert "shown this once" in err and secret not in err
    reply = post_value(harness.base_url, key_path("mkt.leads"), secret, {"value": 120})
    assert reply.status == 200
    forbidden = post_value(harness.base_url, key_path("mkt.launch"), secret, {"value": 1})
    assert forbidden.status == 403
    code, listing, _ = run(capsys, "token", "list")
    assert code == 0 and secret not in listing
    assert secret not in caplog.text
    stored = [t for t in tokens(harness) if t.name == "crm"]
    assert len(stored) == 1 and secret not in str(stored[0].model_dump())
    with harness.deps.db.read() as session:
        audit = session.exec(select(AuditLog).where(AuditLog.entity == "api_token")).all()
    assert [a.action for a in audit] == ["api_token.create", "api_token.create"]
    assert all(secret not in (a.after or "") and stored[0].token_hash not in (a.after or "")
               for a in audit)


def test_list_shows_names_scopes_use_and_status_but_no_secret(
    harness: Harness, world: ApiWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    run(capsys, "token", "create", "--name", "bi", "--kr", "cs.nps")
    post_value(harness.base_url, key_path("cs.nps"), world.secret, {"value": 35})
    run(capsys, "token", "revoke", "bi")

    code, out, _ = run(capsys, "token", "list")

    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "SCOPE", "CREATED", "(UTC)", "LAST", "USED", "(UTC)",
                                "STATUS"]
    erp = next(line for line in lines if line.startswith("erp "))
    bi = next(line for line in lines if line.startswith("bi "))
    assert "every key result" in erp and "2026-11-30 09:00" in erp and erp.endswith("active")
    assert "KRs cs.nps" in bi and "never" in bi and "revoked " in bi
    assert world.secret not in out and "okr_" not in out
    assert all(t.token_hash not in out for t in tokens(harness))


def test_revoke_refuses_the_token_at_once_and_twice_is_harmless(
    harness: Harness, world: ApiWorld, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "token", "revoke", "erp")
    assert code == 0 and out.startswith("Revoked API token 'erp'")
    reply = post_value(harness.base_url, key_path("mkt.leads"), world.secret, {"value": 1})
    assert (reply.status, reply.json()["code"]) == (401, "revoked_token")

    code, out, _ = run(capsys, "token", "revoke", "erp")
    assert code == 0 and "was already revoked" in out
    with harness.deps.db.read() as session:
        revokes = session.exec(select(AuditLog).where(AuditLog.action == "api_token.revoke"))
        assert len(revokes.all()) == 1


@pytest.mark.parametrize(("argv", "message"), [
    (["create", "--name", "erp"], "a token named 'erp' exists already"),
    (["create", "--name", "x", "--kr", "mkt.leads", "--kr", "nope"],
     "no key result has the key 'nope'"),
    (["create", "--name", "has space"], "invalid token name 'has space'"),
    (["create", "--name", "n" * 61], "invalid token name"),
    (["revoke", "ghost"], "no token named 'ghost'"),
])
def test_refused_commands_say_why_and_change_nothing(
    harness: Harness, world: ApiWorld, capsys: pytest.CaptureFixture[str], argv: list[str],
    message: str,
) -> None:
    before = [t.model_dump() for t in tokens(harness)]

    code, out, err = run(capsys, "token", *argv)

    assert code == 2
    assert message in err and out == ""
    assert [t.model_dump() for t in tokens(harness)] == before


def test_empty_list_says_how_to_create_one(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    code, out, _ = run(capsys, "token", "list")
    assert code == 0 and "okr-bot token create --name NAME" in out
