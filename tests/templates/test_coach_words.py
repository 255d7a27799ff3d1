"""The coach's words (locales/*/coach.yaml): every finding has them in every locale, and they
render."""

from __future__ import annotations

import string

import pytest

from bot.domain import coach
from bot.domain.vocabulary import KRKind
from bot.rendering import Catalogue, load_catalogue
from handlers.okr_edit_views import describe

# One draft that trips every code the coach knows.
EVERYTHING = coach.ObjectiveDraft(
    "成为行业领导者,拿到奖金",
    description="一年营收翻10倍",
    owner_is_person=True,
    krs=[
        coach.KRDraft("写10篇公众号文章"),
        coach.KRDraft("客户满意度明显改善"),
        coach.KRDraft("NPS", start=35, target=35),
        coach.KRDraft("launch the new website", kind=KRKind.MILESTONE),
        coach.KRDraft("Churn below 2%"),
    ],
)
TASK_OBJECTIVE = coach.ObjectiveDraft("完成3场线上活动", krs=[coach.KRDraft("观看人数超10000")])


def all_findings() -> list[coach.Finding]:
    return [*coach.check_objective(EVERYTHING, owner_objective_count=6),
            *coach.check_objective(TASK_OBJECTIVE)]


def words(locale: str) -> Catalogue:
    return load_catalogue(locale)


def entries(locale: str) -> dict[coach.FindingCode, tuple[str, str]]:
    """Each code's (message, suggestion) templates as written in the catalogue."""
    catalogue = words(locale)
    keys = catalogue.keys()
    codes = {key.split(".")[1] for key in keys if key.startswith("coach.")}
    return {coach.FindingCode(code): (catalogue.text(f"coach.{code}.message"),
                                catalogue.text(f"coach.{code}.suggestion")) for code in codes}


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def test_examples_trip_every_code() -> None:
    assert {f.code for f in all_findings()} == set(coach.FindingCode)


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_every_code_has_words_in_every_locale(locale: str) -> None:
    assert set(entries(locale)) == set(coach.FindingCode)
    for message, suggestion in entries(locale).values():
        assert message.strip()
        assert suggestion.strip()


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_placeholders_are_params_the_coach_provides(locale: str) -> None:
    provided = {f.code: set(f.params) for f in all_findings()}
    for code, (message, suggestion) in entries(locale).items():
        assert placeholders(message) | placeholders(suggestion) <= provided[code], code


@pytest.mark.parametrize("locale", ["en", "zh"])
def test_describe_fills_in_the_params(locale: str) -> None:
    for finding in all_findings():
        message, suggestion = describe(finding, words(locale))
        for value in finding.params.values():
            assert str(value) in message + suggestion, (finding.code, locale)
        assert "{" not in message + suggestion


def test_describe_speaks_the_locale() -> None:
    finding = coach.Finding(
        coach.FindingCode.KR_IS_TASK, coach.Severity.WARNING, "key_results[0]",
        {"text": "做2场直播"},
    )
    en_message, en_suggestion = describe(finding, words("en"))
    zh_message, zh_suggestion = describe(finding, words("zh"))
    assert en_message.startswith("“做2场直播” reads like a task")
    assert "50,000 reads" in en_suggestion
    assert zh_message.startswith("“做2场直播”是任务")
    assert "公众号文章累计阅读量超5万" in zh_suggestion


def test_braces_typed_by_people_are_kept() -> None:
    finding = coach.Finding(
        coach.FindingCode.OBJECTIVE_VAGUE, coach.Severity.WARNING, "objective", {"phrase": "{x}"}
    )
    assert describe(finding, words("en"))[0].startswith("“{x}” is too vague")
