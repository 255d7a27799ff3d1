"""All configuration in one place, read from the environment and `.env`."""

from __future__ import annotations

import ipaddress
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.catalogues import words
from bot.domain.text import SUPPORTED_LOCALES

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
MIN_SIGNING_SECRET = 16  # Slack's are 32 hex characters
TOKEN_PREFIXES = {"slack_bot_token": "xoxb-", "slack_app_token": "xapp-"}


class Settings(BaseSettings):
    """Settings of one okr-bot process. Build one with `load_settings()`; none exists at import."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_allow_http: bool = Field(
        default=False, description="development only: allow a plain-http SLACK_API_URL on a "
                                   "host other than this one")
    slack_api_url: str = DEFAULT_SLACK_API_URL
    database_url: str = "sqlite:///okr.db"
    default_timezone: str = "UTC"
    default_locale: str = "en"
    grace_hours: int = Field(default=6, ge=0, description="how late a missed slot may be sent")
    slack_post_rate_per_minute: int = Field(
        default=240, ge=1, le=3000, description="workspace budget of outbox posts per minute"
    )
    api_public_url: str | None = None
    review_days_before_end: int = Field(
        default=7, ge=0, le=90, description="days before a cycle's end that owners get the review"
    )
    cycle_review_days: int = Field(
        default=14, ge=0, le=90,
        description="days a cycle stays open after its end for its review; then it closes")

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(words("cli.settings.unknown_zone", value=value)) from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        short = value.split("-")[0].lower()
        if short not in SUPPORTED_LOCALES:
            raise ValueError(words("cli.settings.locale", choices=", ".join(SUPPORTED_LOCALES)))
        return short

    @field_validator("slack_signing_secret", "slack_bot_token", "slack_app_token", mode="before")
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        """`SLACK_APP_TOKEN=` in .env means "not set" (`require` then names it if needed)."""
        return None if value == "" else value

    @field_validator("slack_signing_secret")
    @classmethod
    def _signing_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and len(value.get_secret_value().strip()) < MIN_SIGNING_SECRET:
            raise ValueError(words("cli.settings.signing_secret", min=MIN_SIGNING_SECRET))
        return value

    @field_validator("slack_bot_token", "slack_app_token")
    @classmethod
    def _token_kind(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        prefix = TOKEN_PREFIXES[str(info.field_name)]
        if value is not None and not value.get_secret_value().startswith(prefix):
            raise ValueError(words("cli.settings.token_prefix", prefix=prefix))
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _slack_api_url(cls, value: str, info: ValidationInfo) -> str:
        """https, except on this host (a local stand-in) or with SLACK_API_ALLOW_HTTP=true."""
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(words("cli.settings.http_url"))
        if parts.scheme == "http" and not (
            is_loopback(parts.hostname) or info.data.get("slack_api_allow_http")
        ):
            raise ValueError(words("cli.settings.https_only"))
        return value if value.endswith("/") else value + "/"

    def require(self, *names: str) -> None:
        """Fail with one line naming every setting among `names` that is not set."""
        missing = [name.upper() for name in names if _unset(getattr(self, name))]
        if missing:
            raise MissingSettingError(*missing)


def _unset(value: object) -> bool:
    return value is None or (isinstance(value, SecretStr) and not value.get_secret_value())


def is_loopback(host: str) -> bool:
    """Whether `host` names this machine (localhost, 127.0.0.0/8, ::1)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _LanguageOnly(BaseSettings):
    """DEFAULT_LOCALE alone, readable when other settings are wrong."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    default_locale: str = "en"


def terminal_default_locale() -> str:
    """DEFAULT_LOCALE for what the command line prints, even when other settings are invalid
    (their errors are worded in it); English when it is not a language okr-bot speaks."""
    chosen = _LanguageOnly().default_locale
    return chosen if chosen in SUPPORTED_LOCALES else "en"


class MissingSettingError(RuntimeError):
    """Settings that this command needs are not set."""

    def __init__(self, *env_names: str) -> None:
        key = "cli.settings.missing_many" if len(env_names) > 1 else "cli.settings.missing_one"
        super().__init__(words(key, names=", ".join(env_names)))
        self.env_names = env_names


class SettingsError(RuntimeError):
    """The environment holds a value that is not valid."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        raise SettingsError("\n".join(invalid_lines(exc))) from None


def invalid_lines(error: ValidationError) -> list[str]:
    """One line per bad setting: our own reason (worded), else pydantic's."""
    lines = []
    for err in error.errors():
        reason = err.get("ctx", {}).get("error") if err["type"] == "value_error" else None
        lines.append(words("cli.settings.invalid",
                           name=".".join(str(p) for p in err["loc"]).upper(),
                           reason=str(reason) if reason is not None else err["msg"]))
    return lines
