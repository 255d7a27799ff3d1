"""The coach on Objectives: vague, task-like, extreme, pay, counts, alignment (guide 五)."""

from __future__ import annotations

import pytest

from bot.domain.coach import (
    Finding,
    FindingCode,
    KRDraft,
    ObjectiveDraft,
    Severity,
    check_objective,
)
from bot.domain.vocabulary import KRKind, ObjectiveType

C = FindingCode


def codes(findings: list[Finding]) -> set[FindingCode]:
    return {f.code for f in findings}


def team_objective(title: str, *krs: str, **kw: object) -> ObjectiveDraft:
    """A team Objective (no alignment finding) with metric KRs titled as given."""
    return ObjectiveDraft(title, krs=[KRDraft(k) for k in krs], **kw)  # type: ignore[arg-type]


VAGUE_OBJECTIVES = [
    ("成为行业领导者", "成为行业领导者"),  # guide 五.2
    ("做大做强", "做大做强"),
    ("增长", "增长"),
    ("be the industry leader", "be the industry leader"),
    ("Become the market leader", "Become the market leader"),
    ("improve things", "improve things"),
    ("Make everything better", "Make everything better"),
    ("Be world-class", "world-class"),
    ("Grow", "Grow"),
]

CLEAR_OBJECTIVES = [
    # guide 一.1, 二.2, 三.1, 四, 五
    "提升品牌影响力",
    "提升品牌曝光与线索数量,支持销售增长",
    "为所有客户提供稳定可靠的平台体验",
    "提升客户满意度",
    "降低单位产品能耗,推进绿色生产",
    "打造客户体验,提升复购率",
    "评估进军东南亚市场的可行性",
    "测试新的内容营销模式",
    "提升产品稳定性",
    "2025年底前,市场占有率从15%提升至25%",  # the guide's rewrite of 成为行业领导者
    "成为行业第一,市场占有率达到25%",  # a vague phrase made specific
    "Delight customers with fast, reliable support",
    "Make our brand known among mid-size manufacturers",
    "Strengthen brand influence",
]


@pytest.mark.parametrize(("title", "phrase"), VAGUE_OBJECTIVES)
def test_vague_objective(title: str, phrase: str) -> None:
    findings = check_objective(team_objective(title, "NPS from 35 to 60", "Churn below 2%"))
    assert findings == [
        Finding(C.OBJECTIVE_VAGUE, Severity.WARNING, "objective", {"phrase": phrase})
    ]


@pytest.mark.parametrize("title", CLEAR_OBJECTIVES)
def test_clear_objective_gets_no_text_finding(title: str) -> None:
    assert codes(check_objective(team_objective(title, "NPS from 35 to 60", "Churn < 2%"))) == set()


@pytest.mark.parametrize("title", ["完成3场线上活动", "Run 3 webinars this quarter", "写10篇文章"])
def test_objective_written_as_task(title: str) -> None:
    findings = check_objective(team_objective(title, "阅读量超5万", "新增粉丝2000+"))
    assert findings == [
        Finding(C.OBJECTIVE_IS_TASK, Severity.WARNING, "objective", {"text": title})
    ]


@pytest.mark.parametrize(
    ("title", "objective_type", "phrase", "severity"),
    [
        ("一年营收翻10倍", ObjectiveType.COMMITTED, "翻10倍", Severity.WARNING),  # guide 五.2
        ("营收增长十倍", ObjectiveType.COMMITTED, "增长十倍", Severity.WARNING),
        ("10x revenue this year", ObjectiveType.COMMITTED, "10x", Severity.WARNING),
        ("Grow revenue tenfold", ObjectiveType.LEARNING, "tenfold", Severity.WARNING),
        ("Grow revenue 1000%", ObjectiveType.COMMITTED, "1000%", Severity.WARNING),
        ("10x revenue this year", ObjectiveType.ASPIRATIONAL, "10x", Severity.INFO),
    ],
)
def test_extreme_objective(
    title: str, objective_type: ObjectiveType, phrase: str, severity: Severity
) -> None:
    draft = team_objective(title, "营收从1亿到2亿", "毛利率≥30%", type=objective_type)
    assert check_objective(draft) == [
        Finding(C.EXTREME_TARGET, severity, "objective", {"phrase": phrase})
    ]


@pytest.mark.parametrize(
    "title", ["将品牌认知度提升400%", "用户留存率翻倍", "Grow ARR 3x", "营收翻两番"]
)
def test_ambitious_but_not_extreme(title: str) -> None:
    assert C.EXTREME_TARGET not in codes(check_objective(team_objective(title, "a 1", "b 2")))


PAY_CASES = [
    (
        team_objective(
            "提升销售额", "销售额达到300万", "毛利率≥30%", description="完成后发年终奖金"
        ),
        "objective",
        "年终奖",
    ),
    (team_objective("提升销售额", "销售额达到300万", "绩效评分≥90"), "key_results[1]", "绩效"),
    (
        team_objective("Grow sales", "Sales reach $3M", "Win rate above 30% to earn the bonus"),
        "key_results[1]",
        "bonus",
    ),
    (
        team_objective("Grow sales for my performance review", "a 1", "b 2"),
        "objective",
        "performance review",
    ),
]


@pytest.mark.parametrize(("draft", "subject", "phrase"), PAY_CASES)
def test_okr_tied_to_pay(draft: ObjectiveDraft, subject: str, phrase: str) -> None:
    assert check_objective(draft) == [
        Finding(C.TIED_TO_PAY, Severity.WARNING, subject, {"phrase": phrase})
    ]


@pytest.mark.parametrize(
    ("kr_count", "expected"),
    [
        (0, {C.TOO_FEW_KRS}),
        (1, {C.TOO_FEW_KRS}),
        (2, set()),
        (4, set()),
        (5, {C.TOO_MANY_KRS}),
    ],
)
def test_two_to_four_krs(kr_count: int, expected: set[FindingCode]) -> None:
    krs = [f"Metric {i} from 10 to 20" for i in range(kr_count)]
    assert codes(check_objective(team_objective("Delight customers", *krs))) == expected


def test_kr_count_findings_carry_the_bounds() -> None:
    (few,) = check_objective(team_objective("Delight customers", "NPS from 35 to 60"))
    assert few.params == {"count": 1, "min": 2, "max": 4}


@pytest.mark.parametrize(
    ("count", "expected"), [(1, set()), (5, set()), (6, {C.TOO_MANY_OBJECTIVES})]
)
def test_at_most_five_objectives_per_owner(count: int, expected: set[FindingCode]) -> None:
    draft = team_objective("Delight customers", "NPS from 35 to 60", "Churn < 2%")
    assert codes(check_objective(draft, owner_objective_count=count)) == expected


def test_personal_objective_not_aligned_guide_example() -> None:
    # guide 五.5: the team wants stability, the person sets "learn the new framework"
    krs = [KRDraft("完成新框架的官方教程", kind=KRKind.MILESTONE), KRDraft("用新框架写3个示例项目")]
    unaligned = ObjectiveDraft("学习新的编程框架", owner_is_person=True, krs=krs)
    assert [(f.code, f.subject) for f in check_objective(unaligned)] == [
        (C.PERSONAL_UNALIGNED, "objective"),
        (C.KR_IS_TASK, "key_results[0]"),
        (C.KR_IS_TASK, "key_results[1]"),
    ]
    rewritten = ObjectiveDraft(
        "用新编程框架提升产品稳定性",
        owner_is_person=True,
        has_parent=True,
        krs=[
            KRDraft("用新编程框架优化产品代码,减少30%的bug"),
            KRDraft("线上故障数从每月8次降到2次"),
        ],
    )
    assert check_objective(rewritten) == []


def test_team_objective_needs_no_parent() -> None:
    draft = team_objective("提升品牌影响力", "阅读量超5万", "新增粉丝2000+", has_parent=False)
    assert check_objective(draft) == []
