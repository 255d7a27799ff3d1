"""The coach on single Key Results: tasks versus outcomes, measurability (guide 一.2, 五.1)."""

from __future__ import annotations

import pytest

from bot.domain.coach import (
    Finding,
    FindingCode,
    KRDraft,
    Severity,
    check_key_result,
)
from bot.domain.vocabulary import KRKind, ObjectiveType

C = FindingCode
TEXT_CODES = {C.KR_IS_TASK, C.KR_NOT_MEASURABLE}


def codes(findings: list[Finding]) -> set[FindingCode]:
    return {f.code for f in findings}


TASK_KRS = [
    # guide 五.1
    "写10篇公众号文章",
    "做2场直播",
    # the brief and common phrasings
    "完成3场直播",
    "做两场直播",
    "写文章不少于10篇",
    "拜访20个客户",
    "上线3款产品",
    "完成年度核心产品上线",
    "做2场直播,每场2小时",
    "write 10 articles",
    "Write at least 10 blog articles",
    "launch the new website",
    "Launch the new website by June 30",
    "Hold 3 webinars",
    "In Q3, publish 12 posts",
    "Fix 10 bugs",
    "Redesign the onboarding flow",
]

OUTCOME_KRS = [
    # guide 五.1 rewrites, 五.2, 一.2, 四.1, 四.2, 四.3, 五.4, 五.5, 三.1
    "公众号文章累计阅读量超5万",
    "直播累计观看人数超3000,新增粉丝2000+",
    "2025年底前,市场占有率从15%提升至25%",
    "完成3场行业线上活动,累计观看人数超10000人",
    "产生不少于600条有效销售线索",
    "官网改版后月访问量提升50%",
    "单位能耗降低15%",
    "太阳能发电占比提升至20%",
    "废水处理达标率100%",
    "30秒内响应客诉的比例≥95%",
    "客户NPS(净推荐值)从35分提升到60分",
    "每周更新3款应季菜品,客户好评率≥80%",
    "文档更新完成率100%",
    "客户问题解决时效≤24小时",
    "客户投诉响应时间缩短至1小时内",
    "新增用户5万,提升用户留存率30%",
    "用新编程框架优化产品代码,减少30%的bug",
    "保障系统99.9%的运行时间",
    "用户留存率翻倍",
    "将品牌认知度提升400%",
    # English
    "Articles reach 50,000 reads",
    "Increase NPS from 35 to 60",
    "Reduce median first response time from 4h to 1h",
    "Generate at least 600 qualified sales leads",
    "Webinars attract 3,000 live viewers and 2,000 new followers",
    "Monthly active users grow to 20k",
    "95% of complaints answered within 30 seconds",
    "Cut energy use per unit by 15%",
    "Double weekly active users",
    "Write 10 articles that reach 50,000 readers",
    "Launch the new website with 99.9% uptime",
]


@pytest.mark.parametrize("title", TASK_KRS)
def test_task_kr_without_outcome_is_a_warning(title: str) -> None:
    findings = check_key_result(KRDraft(title), index=2)
    task = [f for f in findings if f.code is C.KR_IS_TASK]
    assert task == [Finding(C.KR_IS_TASK, Severity.WARNING, "key_results[2]", {"text": title})]


@pytest.mark.parametrize("title", OUTCOME_KRS)
def test_outcome_kr_gets_no_text_finding(title: str) -> None:
    assert codes(check_key_result(KRDraft(title))) & TEXT_CODES == set()


@pytest.mark.parametrize(
    ("kind", "objective_type", "severity"),
    [
        (KRKind.METRIC, ObjectiveType.COMMITTED, Severity.WARNING),
        (KRKind.METRIC, ObjectiveType.ASPIRATIONAL, Severity.WARNING),
        (KRKind.MILESTONE, ObjectiveType.COMMITTED, Severity.INFO),
        (KRKind.METRIC, ObjectiveType.LEARNING, Severity.INFO),
    ],
)
def test_task_kr_severity_depends_on_kind_and_type(
    kind: KRKind, objective_type: ObjectiveType, severity: Severity
) -> None:
    findings = check_key_result(
        KRDraft("launch the new website", kind=kind), objective_type=objective_type
    )
    assert [(f.code, f.severity) for f in findings] == [(C.KR_IS_TASK, severity)]


@pytest.mark.parametrize(
    ("kr", "expected"),
    [
        (KRDraft("客户满意度明显改善"), {C.KR_NOT_MEASURABLE}),
        (KRDraft("Customers are happier"), {C.KR_NOT_MEASURABLE}),
        (KRDraft("Customers are happier", target=60), set()),  # the number is in the fields
        (KRDraft("Customers are happier", kind=KRKind.MILESTONE), set()),
        (KRDraft("Churn drops by half"), set()),
        (KRDraft("NPS", start=35, target=35), {C.KR_TARGET_EQUALS_START}),
        (KRDraft("NPS", start=35, target=60), set()),
        (KRDraft("Ship v2", kind=KRKind.MILESTONE, start=0, target=0), {C.KR_IS_TASK}),
    ],
)
def test_measurability(kr: KRDraft, expected: set[FindingCode]) -> None:
    assert codes(check_key_result(kr)) == expected


def test_target_equal_to_start_names_the_value() -> None:
    (finding,) = check_key_result(KRDraft("Uptime", start=99.9, target=99.9, unit="%"))
    assert finding.params == {"text": "Uptime", "value": "99.9"}
