"""The coach on whole OKRs from the guide (一.2, 四.1, 四.2, 五.1) and English ones."""

from __future__ import annotations

import pytest

from bot.domain.coach import (
    FindingCode,
    KRDraft,
    ObjectiveDraft,
    check_objective,
)

C = FindingCode


def team_objective(title: str, *krs: str, **kw: object) -> ObjectiveDraft:
    """A team Objective (no alignment finding) with metric KRs titled as given."""
    return ObjectiveDraft(title, krs=[KRDraft(k) for k in krs], **kw)  # type: ignore[arg-type]


GOOD_OKRS = [
    (  # 一.2
        "提升品牌曝光与线索数量,支持销售增长",
        [
            "完成3场行业线上活动,累计观看人数超10000人",
            "产生不少于600条有效销售线索",
            "官网改版后月访问量提升50%",
        ],
    ),
    (  # 四.1
        "降低单位产品能耗,推进绿色生产",
        ["单位能耗降低15%", "太阳能发电占比提升至20%", "废水处理达标率100%"],
    ),
    (  # 四.2
        "打造客户体验,提升复购率",
        [
            "30秒内响应客诉的比例≥95%",
            "客户NPS(净推荐值)从35分提升到60分",
            "每周更新3款应季菜品,客户好评率≥80%",
        ],
    ),
    (  # 五.1, fixed
        "提升品牌影响力",
        ["公众号文章累计阅读量超5万", "直播累计观看人数超3000,新增粉丝2000+"],
    ),
    (
        "Make support fast and reliable",
        [
            "Reduce median first response from 4h to 1h",
            "CSAT from 78% to 90%",
            "Fewer than 5 reopened tickets a week",
        ],
    ),
]


@pytest.mark.parametrize(("title", "krs"), GOOD_OKRS)
def test_guide_good_okrs_are_clean(title: str, krs: list[str]) -> None:
    assert check_objective(team_objective(title, *krs)) == []


def test_guide_bad_okr_flags_each_task_kr() -> None:
    draft = team_objective("提升品牌影响力", "写10篇公众号文章", "做2场直播")  # 五.1
    assert [(f.code, f.subject, f.params["text"]) for f in check_objective(draft)] == [
        (C.KR_IS_TASK, "key_results[0]", "写10篇公众号文章"),
        (C.KR_IS_TASK, "key_results[1]", "做2场直播"),
    ]


def test_findings_are_ordered_objective_first() -> None:
    draft = ObjectiveDraft(
        "成为行业领导者,拿到奖金",
        owner_is_person=True,
        krs=[KRDraft("write 10 articles")],
    )
    assert [(f.code, f.subject) for f in check_objective(draft, owner_objective_count=7)] == [
        (C.OBJECTIVE_VAGUE, "objective"),
        (C.TIED_TO_PAY, "objective"),
        (C.TOO_FEW_KRS, "objective"),
        (C.TOO_MANY_OBJECTIVES, "objective"),
        (C.PERSONAL_UNALIGNED, "objective"),
        (C.KR_IS_TASK, "key_results[0]"),
    ]
