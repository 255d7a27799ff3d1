"""All configuration in one place, read from the environment and `.env`."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.text import SUPPORTED_LOCALES

DEFAULT_SLACK_API_URL = "https://slack.com/api/"


class Settings(BaseSettings):
    """Settings of one okr-bot process. Build one with `load_settings()`; none exists at import."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
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

    @field_validator("default_timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown IANA time zone {value!r}") from exc
        return value

    @field_validator("default_locale")
    @classmethod
    def _supported_locale(cls, value: str) -> str:
        short = value.split("-")[0].lower()
        if short not in SUPPORTED_LOCALES:
            raise ValueError(f"locale must be one of {', '.join(SUPPORTED_LOCALES)}")
        return short

    @field_validator("slack_api_url")
    @classmethod
    def _trailing_slash(cls, value: str) -> str:
        return value if value.endswith("/") else value + "/"

    def require(self, *names: str) -> None:
        """Fail with one line naming every setting among `names` that is not set."""
        missing = [name.upper() for name in names if _unset(getattr(self, name))]
        if missing:
            raise MissingSettingError(*missing)


def _unset(value: object) -> bool:
    return value is None or (isinstance(value, SecretStr) and not value.get_secret_value())


class MissingSettingError(RuntimeError):
    """Settings that this command needs are not set."""

    def __init__(self, *env_names: str) -> None:
        plural = len(env_names) > 1
        super().__init__(f"missing setting{'s' if plural else ''} {', '.join(env_names)}: "
                         f"set {'them' if plural else 'it'} in the environment or in .env")
        self.env_names = env_names


class SettingsError(RuntimeError):
    """The environment holds a value that is not valid."""


def load_settings(**overrides: object) -> Settings:
    """Read settings, turning pydantic's report into one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        lines = [
            f"invalid setting {'.'.join(str(p) for p in err['loc']).upper()}: {err['msg']}"
            for err in exc.errors()
        ]
        raise SettingsError("\n".join(lines)) from None
