"""The coach's words: a message and a suggested fix for every finding, in English and Chinese.

Placeholders are the finding's params: {text} (the title as typed), {phrase} (the words
that triggered it), {count}, {min}, {max}, {value}. Values are substituted once, so braces
in what people typed are kept as they are.
"""

from __future__ import annotations

from bot.domain.coach import Finding, FindingCode

C = FindingCode

CATALOGUE: dict[str, dict[FindingCode, tuple[str, str]]] = {
    "en": {
        C.KR_IS_TASK: (
            "“{text}” reads like a task, not a result: doing it does not prove the Objective "
            "moved.",
            "Write the outcome the work should produce, with a number: instead of “write 10 "
            "articles”, say “articles reach 50,000 reads”; instead of “launch the new "
            "website”, say “monthly visits up 50% after the relaunch”.",
        ),
        C.KR_NOT_MEASURABLE: (
            "“{text}” has no number, so nobody can verify it.",
            "Give it a start, a target and a unit (e.g. “NPS from 35 to 60”), or make it a "
            "milestone if it is simply done or not done.",
        ),
        C.KR_TARGET_EQUALS_START: (
            "“{text}” starts and ends at {value}, so there is no progress to make.",
            "Set a target different from the start value, e.g. the level you want to reach "
            "by the end of the cycle.",
        ),
        C.OBJECTIVE_VAGUE: (
            "“{phrase}” is too vague: nobody can tell what to do differently.",
            "Say what changes, for whom and by when, e.g. “By end of 2025, grow our market "
            "share from 15% to 25%” instead of “be the industry leader”.",
        ),
        C.OBJECTIVE_IS_TASK: (
            "“{text}” is an activity, not an Objective: it fixes the means instead of the goal.",
            "Name the goal the activity serves (e.g. “Strengthen our brand influence”) and "
            "move the activity into a KR with an outcome, e.g. “3 online events reach 10,000 "
            "viewers”.",
        ),
        C.EXTREME_TARGET: (
            "“{phrase}” is far beyond what the team can plan for; an impossible target makes "
            "people give up.",
            "Aim for a stretch the team believes in (about 60–70% likely for a moonshot), or "
            "mark the Objective aspirational if it is meant as one.",
        ),
        C.TIED_TO_PAY: (
            "This OKR mentions “{phrase}”: OKRs tied to pay make people choose safe targets.",
            "Keep OKRs for goals and use a separate process for pay and reviews; OKR results "
            "may inform it but never decide it.",
        ),
        C.TOO_FEW_KRS: (
            "This Objective has {count} Key Result(s); {min} to {max} show progress from more "
            "than one side.",
            "Add a Key Result that measures the Objective from another angle (e.g. quality "
            "next to volume).",
        ),
        C.TOO_MANY_KRS: (
            "This Objective has {count} Key Results; more than {max} spread the effort thin.",
            "Keep the {max} that matter most and drop or move the rest.",
        ),
        C.TOO_MANY_OBJECTIVES: (
            "This owner has {count} Objectives in the cycle; more than {max} means nothing "
            "is a priority.",
            "Keep the {max} most important Objectives and park the others for a later cycle.",
        ),
        C.PERSONAL_UNALIGNED: (
            "This personal Objective is not aligned to any team or company Objective.",
            "Align it to the team Objective it supports, and phrase it so it serves that "
            "goal, e.g. “use the new framework to cut bugs by 30%” instead of “learn the new "
            "framework”.",
        ),
    },
    "zh": {
        C.KR_IS_TASK: (
            "“{text}”是任务(动作),不是结果:做完了不代表目标有进展。",
            "写出这项工作要带来的结果,并给出数字:把“写10篇公众号文章”改成“公众号文章累计阅读量超5万”,"
            "把“做2场直播”改成“直播累计观看人数超3000,新增粉丝2000+”。",
        ),
        C.KR_NOT_MEASURABLE: (
            "“{text}”没有任何数字,无法验证是否达成。",
            "给出起始值、目标值和单位(例如“客户NPS从35分提升到60分”);如果只是完成与否,请改为里程碑。",
        ),
        C.KR_TARGET_EQUALS_START: (
            "“{text}”的起始值和目标值都是{value},没有可推进的空间。",
            "把目标值设为周期结束时希望达到的水平,与起始值不同。",
        ),
        C.OBJECTIVE_VAGUE: (
            "“{phrase}”太模糊,没人知道要做什么。",
            "写清楚改变什么、对谁、何时完成,例如把“成为行业领导者”改成“2025年底前,市场占有率从15%提升至25%”。",
        ),
        C.OBJECTIVE_IS_TASK: (
            "“{text}”是具体动作,不是目标:它限定了做法,而不是方向。",
            "写出动作要服务的目标(例如“提升品牌影响力”),把动作放进带结果的关键成果,"
            "例如“完成3场行业线上活动,累计观看人数超10000人”。",
        ),
        C.EXTREME_TARGET: (
            "“{phrase}”脱离实际,团队会因绝望而放弃。",
            "设定团队相信能拼一把的挑战(雄心勃勃型达成60%-70%即成功),如果本意是登月目标,请把类型设为雄心勃勃型。",
        ),
        C.TIED_TO_PAY: (
            "这条OKR提到了“{phrase}”:OKR与奖惩挂钩,团队就不敢设定有挑战的目标。",
            "OKR只用于目标管理,绩效考核用KPI或其他工具;OKR完成情况可作参考,但不能作为奖惩的唯一依据。",
        ),
        C.TOO_FEW_KRS: (
            "这个目标只有{count}个关键成果;每个目标搭配{min}-{max}个关键成果,才能从多个角度衡量进展。",
            "再加一个从另一角度衡量目标的关键成果(例如数量之外再看质量)。",
        ),
        C.TOO_MANY_KRS: (
            "这个目标有{count}个关键成果;超过{max}个会分散精力。",
            "保留最重要的{max}个,其余删除或移到别处。",
        ),
        C.TOO_MANY_OBJECTIVES: (
            "该负责人本周期有{count}个目标;超过{max}个就等于没有重点。",
            "保留最重要的{max}个目标,其余放到以后的周期。",
        ),
        C.PERSONAL_UNALIGNED: (
            "这个个人目标没有对齐任何团队或公司目标。",
            "先对齐它所支撑的团队目标,再据此改写,例如把“学习新的编程框架”改成“用新编程框架优化产品代码,减少30%的bug”。",
        ),
    },
}

LOCALES = tuple(CATALOGUE)


def locale_key(locale: str) -> str:
    """Map "zh", "zh-CN", "zh_TW" to "zh" and anything else to "en"."""
    return "zh" if locale.lower().startswith("zh") else "en"


def describe(finding: Finding, locale: str) -> tuple[str, str]:
    """(message, suggestion) for a finding, in the locale's language (English by default)."""
    message, suggestion = CATALOGUE[locale_key(locale)][finding.code]
    params = dict(finding.params)
    return message.format_map(params), suggestion.format_map(params)
