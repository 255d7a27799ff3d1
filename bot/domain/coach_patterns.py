"""What the OKR coach looks for in text, in Chinese and English alike.

Every function runs the Chinese and the English patterns on any text: people write OKRs in
either language whatever their Slack locale. The functions are heuristics tuned on the
guide's own examples (section 一, 四, 五); they never raise on arbitrary text.
"""

from __future__ import annotations

import re

_CN_NUM = "零〇一二两三四五六七八九十百千万"
_CN_DIGIT = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5}
_CN_DIGIT |= {"六": 6, "七": 7, "八": 8, "九": 9}
_CN_UNIT = {"十": 10, "百": 100, "千": 1000}
_EN_NUM = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}
_EN_NUM |= {"eight": 8, "nine": 9, "ten": 10, "twelve": 12, "twenty": 20, "fifty": 50}
_EN_NUM |= {"hundred": 100, "thousand": 1000, "dozen": 12, "a dozen": 12}

# Starts at the beginning of a number and ends at its end, so a regex never retries it
# from the middle (keeps long digit runs linear).
_ARABIC = r"(?<!\d)(?<!\d[.,])\d+(?:[.,]\d+)*(?![.,]?\d)"
_CN_RUN = rf"(?<![{_CN_NUM}])[{_CN_NUM}]+"
_EN_WORD_NUM = r"\b(?:" + "|".join(sorted(_EN_NUM, key=len, reverse=True)) + r")\b"
_MEASURE = "个篇场次期款项份节集轮本套条家位名"  # Chinese counters of things done
_DELIVERABLE_MEASURE = "篇场期款项份节集轮本套"  # counters that mark a deliverable, not a result

# Verbs that name an activity rather than a result.
_ZH_TASK_VERBS = (
    "撰写|编写|写|发布|发表|举办|举行|开展|召开|完成|组织|拍摄|制作|录制|上线|推出|参加|"
    "参与|拜访|走访|培训|策划|搭建|开发|修复|实施|执行|交付|输出|产出|更新|推送|主持|访谈|"
    "建立|建设|制定|启动|部署|梳理|整理|调研|设计|重构|迁移|改版|做|发|开|拍"
)
_EN_TASK_VERBS = (
    "write|publish|post|hold|host|run|organi[sz]e|complete|finish|do|launch|ship|release|"
    "build|create|develop|implement|deliver|deploy|set up|conduct|attend|make|produce|"
    "record|fix|migrate|redesign|rewrite|update|plan|draft|prepare|start|kick off|roll out|"
    "introduce|perform|send|give|present|design|refactor|document|interview|visit|call|"
    "train|establish|finali[sz]e|upgrade|install|configure|write up"
)
_EN_DELIVERABLES = (
    r"(?:blog\s+)?(?:articles?|posts?|videos?|webinars?|events?|meetings?|workshops?|sessions?|"
    r"live\s?streams?|streams?|campaigns?|features?|releases?|reports?|trainings?|courses?|"
    r"calls?|demos?|newsletters?|emails?|tasks?|projects?|podcasts?|episodes?|interviews?|"
    r"presentations?|talks?|documents?|docs|pages?|products?|classes|lessons?)"
)

_CLAUSE_SPLIT = re.compile(r"[,,;;。、\n]|\s+and\s+|\s+then\s+|并且", re.IGNORECASE)
_ZH_TIME_PREFIX = re.compile(
    r"^\s*(?:每(?:周|月|天|日|季度?|年)|本(?:周|月|季度?|年)|(?:(?:\d{1,4}|[一二三四五六七八九十]+)\s*"
    r"(?:年|个?月|日|号|周|天|小时|分钟|秒)|年|月|季度|Q[1-4]|H[12])+(?:底|初|中|末)?(?:之?前|以内|内|起)?)"
    r"\s*"
)
_EN_TIME_PREFIX = re.compile(
    r"^\s*(?:(?:by|in|before|until|during|this|next)\b[^,]{0,30},\s*|(?:each|every|per)\s+"
    r"(?:week|month|quarter|day|year)\s*,?\s*|(?:Q[1-4]|H[12])\b[:,]?\s*)",
    re.IGNORECASE,
)
_ZH_TASK_START = re.compile(rf"^\s*(?:{_ZH_TASK_VERBS})")
_EN_TASK_START = re.compile(rf"^\s*(?:{_EN_TASK_VERBS})\b", re.IGNORECASE)

_FILLER = r"(?:了|共|累计|总共|至少|不少于|超过|约)?"
_EN_FILLER = r"(?:(?:at least|over|more than|up to|about|around|another|some)\s+)?"
_TASK_COUNT = re.compile(
    rf"(?:{_ZH_TASK_VERBS})\s*{_FILLER}\s*(?:{_ARABIC}|{_CN_RUN})\s*[{_MEASURE}]"
    rf"|\b(?:{_EN_TASK_VERBS})\s+{_EN_FILLER}(?:{_ARABIC}|{_EN_WORD_NUM})"
    r"(?!\s*(?:%|％|percent))",
    re.IGNORECASE,
)

_NOT_QUANTITIES = re.compile(
    r"\b[QH][1-4]\b|\d{4}\s*年|\b(?:in|by|before|until|end of|through)\s+(?:19|20)\d{2}\b",
    re.IGNORECASE,
)
_QUANTITY = re.compile(
    rf"(?<![A-Za-z\d.]){_ARABIC}(?:\s*(?:[kKmM](?![A-Za-z])|万|亿|千|百))?"
    rf"|{_CN_RUN}(?=\s*[{_MEASURE}人倍成分%％])|{_EN_WORD_NUM}",
    re.IGNORECASE,
)
_DELIVERABLE_AFTER = re.compile(
    rf"\s*(?:[{_DELIVERABLE_MEASURE}]|(?:[\w-]+\s+){{0,2}}?{_EN_DELIVERABLES}\b)", re.IGNORECASE
)
_DOUBLING = re.compile(
    r"翻倍|翻番|翻一番|翻两番|减半|一半|\b(?:double|triple|quadruple|halve)[sd]?\b|\b(?:by|in)\s+half\b",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"\d\s*[%％‰]|百分之|个百分点|\bpercent|\bpercentage points?\b", re.I)
_METRIC = re.compile(
    r"率|量|人数|人次|占比|比例|份额|净推荐值|满意度|评分|得分|分数|粉丝|线索|营收|收入|销售额|销量|"
    r"利润|成本|能耗|时长|时效|时间|用户|客户|会员|访问|流量|观看|阅读|浏览|下载|注册|转化|留存|"
    r"复购|好评|差评|投诉|订单|曝光|点击|播放|缺陷|故障|宕机|可用性|延迟|"
    r"\b(?:rate|ratio|share|readers?|readership|views?|viewers?|visits?|visitors?|traffic|"
    r"users?|customers?|clients?|subscribers?|followers?|fans|sign-?ups?|registrations?|"
    r"attendees?|participants?|leads?|revenue|sales|profit|margin|costs?|spend|nps|csat|"
    r"satisfaction|scores?|rating|retention|churn|conversions?|downloads?|installs?|uptime|"
    r"availability|latency|time|mrr|arr|gmv|dau|mau|wau|bookings?|orders?|pipeline|"
    r"engagement|clicks?|impressions?|opens?|defects?|bugs?|incidents?|errors?|outages?|"
    r"tickets?|complaints?|energy|consumption|emissions?|accuracy|coverage)\b",
    re.IGNORECASE,
)
_COMPARATOR = re.compile(
    r"超过|超|不少于|不低于|不超过|至少|达到|达|高于|低于|少于|多于|以上|以内|≥|≤|>=|<=|[<>]|"
    r"\b(?:at least|more than|over|above|below|under|fewer than|less than|no more than|"
    r"at most|reach(?:es)?|exceed(?:s)?|hit|to)\b",
    re.IGNORECASE,
)
_CHANGE = re.compile(
    r"提升|提高|增长|增加|降低|减少|缩短|下降|降至|新增|"
    r"\b(?:increase|decrease|reduce|raise|grow|cut|lower|improve|boost|lift|drop|shorten|"
    r"faster|slower|cheaper|higher|more|less|fewer)[sd]?\b",
    re.IGNORECASE,
)

_VAGUE = re.compile(
    r"成为.{0,8}?(?:领导者|领导品牌|领先者|领头羊|领军者|领跑者|龙头|标杆|第一|一流|顶尖|最好|最强|最佳)|"
    r"(?:行业|业界|国内|国际|世界|全球)(?:领先|一流|顶尖|第一)|做大做强|更上一层楼|全面提升|"
    r"全方位提升|再创辉煌|追求卓越|做到最好|做得更好|变得更好|越来越好|(?:提升|改善|优化)(?:各方面|一切)|"
    r"\bbe(?:come)?\s+(?:the\s+|a\s+|an\s+)?(?:(?:industry|market|global|world|category)\s+)?"
    r"(?:leader|leading|number\s+one|no\.?\s*1|#1|best|top)\b|"
    r"\b(?:industry|market|world|global|thought)[- ]leader(?:ship)?\b|\bworld[- ]class\b|"
    r"\bbest[- ]in[- ]class\b|\b(?:improve|better|fix|optimi[sz]e|enhance)\s+"
    r"(?:things|stuff|everything|it all)\b|\b(?:do|be|get|make\s+(?:things|it|everything))"
    r"\s+better\b|\bnext level\b|\bexcellence\b|\bsynerg(?:y|ies|ize)\b",
    re.IGNORECASE,
)
_LATIN_WORD = re.compile(r"[A-Za-z]+")
_CJK_CHAR = re.compile(r"[\u3400-\u9fff]")
_SPACE_RUN = re.compile(r"\s+")

_MULTIPLIER = re.compile(
    rf"(?:翻|增长|提升|提高|增加)?\s*({_ARABIC}|{_CN_RUN}|{_EN_WORD_NUM})\s*[- ]?"
    r"(?:倍|x\b|×|times\b|fold\b)|(?<![A-Za-z])(?:x|×)\s*(\d+)\b"
    r"|\b(ten|twenty|fifty|hundred|thousand)fold\b",
    re.IGNORECASE,
)
_BIG_PERCENT = re.compile(rf"({_ARABIC})\s*[%％]")
EXTREME_MULTIPLIER = 10.0

_PAY = re.compile(
    r"奖金|绩效|晋升|薪酬|薪资|薪水|工资|加薪|调薪|年终奖|提成|奖惩|"
    r"\b(?:bonus(?:es)?|performance\s+(?:review|appraisal|rating|evaluation)s?|salary|"
    r"salaries|pay\s+(?:raise|rise)|compensation|get(?:ting)?\s+promoted)\b",
    re.IGNORECASE,
)


def _cn_number(text: str) -> float | None:
    """Value of a Chinese numeral such as 十, 二十五, 两百, 三万; None if not one."""
    total, section, digit = 0, 0, 0
    for char in text:
        if char in _CN_DIGIT:
            digit = _CN_DIGIT[char]
        elif char in _CN_UNIT:
            section += (digit or 1) * _CN_UNIT[char]
            digit = 0
        elif char == "万":
            total += (section + digit or 1) * 10_000
            section, digit = 0, 0
        else:
            return None
    return float(total + section + digit)


def _parse_number(text: str) -> float | None:
    """Value of an Arabic, Chinese or English number word; None when it is not one."""
    cleaned = text.strip().lower().replace(",", "")
    if cleaned in _EN_NUM:
        return float(_EN_NUM[cleaned])
    try:
        return float(cleaned)
    except ValueError:
        return _cn_number(cleaned) if cleaned else None


def _squeeze(text: str) -> str:
    """Each run of whitespace as one character, so no pattern rescans a long blank run."""
    return _SPACE_RUN.sub(lambda m: "\n" if "\n" in m.group() else " ", text)


def _clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE_SPLIT.split(text) if c.strip()]


def _without_time_prefix(clause: str) -> str:
    return _EN_TIME_PREFIX.sub("", _ZH_TIME_PREFIX.sub("", clause, count=1), count=1)


def is_task_like(text: str) -> bool:
    """The text names an activity: a clause opens with a task verb, or counts things done."""
    text = _squeeze(text)
    if _TASK_COUNT.search(text):
        return True
    for clause in _clauses(text):
        bare = _without_time_prefix(clause)
        if _ZH_TASK_START.match(bare) or _EN_TASK_START.match(bare):
            return True
    return False


def counts_deliverables(text: str) -> bool:
    """The text counts things to do ("完成3场线上活动", "write 10 articles")."""
    text = _squeeze(text)
    return _TASK_COUNT.search(text) is not None


def _result_quantities(text: str) -> list[str]:
    """Quantities that could measure a result: not dates, not counts of things done."""
    rest = _TASK_COUNT.sub(" ", _NOT_QUANTITIES.sub(" ", text))
    found = []
    for match in _QUANTITY.finditer(rest):
        if not _DELIVERABLE_AFTER.match(rest, match.end()):
            found.append(match.group())
    return found


def has_outcome(text: str) -> bool:
    """The text measures a result: a quantity of a metric, a percentage, a comparison or a
    change ("累计观看人数超10000人", "NPS from 35 to 60", "用户留存率翻倍")."""
    text = _squeeze(text)
    rest = _TASK_COUNT.sub(" ", text)
    if _DOUBLING.search(rest):
        return True
    if not _result_quantities(text):
        return False
    return any(p.search(rest) for p in (_PERCENT, _METRIC, _COMPARATOR, _CHANGE))


def has_number(text: str) -> bool:
    """The text holds any quantity at all (digits, 两/三…+counter, English number words)."""
    text = _squeeze(text)
    return _QUANTITY.search(text) is not None or _DOUBLING.search(text) is not None


def vague_phrase(text: str) -> str | None:
    """The vague phrase that makes an Objective unclear, or None.

    A vague phrase next to a number ("成为行业第一,市场占有率达到25%") is specific enough.
    Titles too short to say what changes ("增长", "Grow") count as vague too.
    """
    text = _squeeze(text)
    match = _VAGUE.search(text)
    if match:
        rest = text[: match.start()] + " " + text[match.end() :]
        return None if has_number(rest) else match.group()
    stripped = text.strip()
    size = len(_LATIN_WORD.findall(text)) + len(_CJK_CHAR.findall(text)) / 2
    if stripped and size < 2 and not has_number(text):
        return stripped
    return None


def extreme_phrase(text: str) -> str | None:
    """A growth target of 10x or more ("一年营收翻10倍", "10x revenue"), or None."""
    text = _squeeze(text)
    for match in _MULTIPLIER.finditer(text):
        value = _parse_number(match.group(1) or match.group(2) or match.group(3) or "")
        if value is not None and value >= EXTREME_MULTIPLIER:
            return match.group().strip()
    for match in _BIG_PERCENT.finditer(text):
        value = _parse_number(match.group(1))
        if value is not None and 1 + value / 100 >= EXTREME_MULTIPLIER:
            return match.group()
    return None


def pay_phrase(text: str) -> str | None:
    """A word tying the OKR to pay, bonus or performance review, or None."""
    text = _squeeze(text)
    match = _PAY.search(text)
    return match.group() if match else None
