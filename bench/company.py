"""A made-up company for the benchmarks, deterministic from a seed: people, nested teams,
schedules, one active cycle of aligned Objectives and KRs, weeks of check-ins (Chinese and
English), value history, absences, holidays and the outbox history of sent prompts.

`generate(spec)` yields `(table, rows)` chunks in foreign-key order; `bench/make_dataset.py`
inserts them. Ids are assigned here, so every run with the same spec is the same company.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

Row = dict[str, Any]
CHUNK = 5000

ZONES = [  # (IANA zone, weight, locale mostly spoken there)
    ("Asia/Shanghai", 30, "zh"), ("America/New_York", 12, "en"), ("Europe/Berlin", 10, "en"),
    ("Asia/Kolkata", 8, "en"), ("America/Los_Angeles", 8, "en"), ("Europe/London", 7, "en"),
    ("Asia/Singapore", 6, "zh"), ("Asia/Tokyo", 4, "en"), ("Australia/Lord_Howe", 2, "en"),
    ("Pacific/Apia", 1, "en"), ("America/Sao_Paulo", 4, "en"), ("Asia/Taipei", 5, "zh"),
    ("UTC", 3, "en"),
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "子涵", "一诺", "浩然", "欣怡"]
FIRST = ["Emma", "Liam", "Olivia", "Noah", "Ava", "Elijah", "Sophia", "Lucas", "Mia", "Mateo",
         "Amelia", "Arjun", "Priya", "Jonas", "Lena", "Yuki", "Kenji", "Chloe", "Diego", "Sara",
         "Fatima", "Omar", "Ines", "Tomás", "Anika", "Ben", "Hannah", "Felix", "Zoe", "Ravi"]
LAST = ["Schulz", "Smith", "García", "Müller", "Nguyen", "Patel", "Kim", "Rossi", "Novak",
        "Silva", "Kowalski", "Johansson", "O'Brien", "Dubois", "Tanaka", "Okafor", "Haddad",
        "Fischer", "Brown", "Ivanova", "Costa", "Sato", "Khan", "Larsen", "Moreau", "Weber"]
DEPARTMENTS = ["Sales", "Marketing", "Engineering", "Product", "Support", "Operations",
               "Finance", "People", "Manufacturing", "Logistics", "Design", "Data", "Legal",
               "Security", "Research", "Partnerships", "Growth", "Quality", "Procurement",
               "Facilities", "Platform", "Mobile", "Payments", "Search", "Infrastructure"]
TEAM_WORDS = ["Falcon", "Orca", "Panda", "Lynx", "Otter", "Heron", "Bison", "Koala", "Ibis",
              "Gecko", "Yak", "Wren", "Tapir", "Marten", "Egret", "Puffin", "Quokka", "Saola"]

# KR templates: (English title, Chinese title, unit, start, target, direction)
METRICS = [
    ("Grow monthly marketing leads from {a} to {b}", "月度营销线索从{a}提升到{b}", "leads",
     200, 600, "increase"),
    ("Cut energy per unit by {p}%", "单位产品能耗降低{p}%", "kWh", 120, 96, "decrease"),
    ("Raise restaurant NPS from {a} to {b}", "门店 NPS 从{a}提升到{b}", "", 20, 45, "increase"),
    ("Bring first response time from {a} h to {b} h", "首次响应时间从{a}小时缩短到{b}小时", "h",
     4, 1, "decrease"),
    ("Reach {b} weekly active users", "周活跃用户达到{b}", "users", 8000, 12000, "increase"),
    ("Lift trial-to-paid conversion to {b}%", "试用转付费转化率提升到{b}%", "%", 8, 14,
     "increase"),
    ("Sign {b} new enterprise customers", "签约{b}家新企业客户", "客户", 0, 12, "increase"),
    ("Reduce defect rate to {b}%", "缺陷率降低到{b}%", "%", 3, 1, "decrease"),
    ("Grow repeat purchases to ¥{b}k", "复购金额增长到{b}千元", "千元", 300, 450, "increase"),
]
MILESTONES = [("Launch the new checkout flow", "上线新版结账流程"),
              ("Ship the self-service onboarding", "发布自助开通流程"),
              ("Finish the ISO 50001 audit", "完成 ISO 50001 审核"),
              ("Open the second kitchen", "开设第二个中央厨房")]
OBJECTIVES = [("Make customers love our onboarding", "让客户爱上我们的开通体验"),
              ("Become the easiest shop to buy from", "成为最容易下单的店铺"),
              ("Run the greenest plant in the region", "打造本地区最节能的工厂"),
              ("Turn first-time diners into regulars", "把首次到店的顾客变成回头客"),
              ("Answer every customer within the hour", "一小时内回复每一位客户"),
              ("Build a pipeline sales can count on", "建立销售可以依赖的线索管道"),
              ("Learn what makes trials convert", "搞清楚试用用户为什么付费"),
              ("Ship quality people can feel", "交付用户能感受到的质量")]
PROGRESS = [("Ran {n} customer interviews; conversion is up to {v}.",
             "完成了{n}场客户访谈，转化率提升到{v}。"),
            ("Shipped the A/B test, {n} variants live.", "A/B 测试已上线，共{n}个版本。"),
            ("Closed {n} deals this week.", "本周签下{n}单。"),
            ("Energy audit of line {n} done.", "完成了{n}号产线的能耗审计。")]
BLOCKERS = [("Waiting on legal to review the contract.", "等待法务审批合同。"),
            ("The data pipeline has been down since Tuesday.", "数据管道从周二起一直故障。"),
            ("Vendor delayed the parts by {n} days.", "供应商交货推迟了{n}天。")]
HELP = [("Need someone from data to check the funnel numbers.", "需要数据组帮忙核对漏斗数据。"),
        ("Could design review the new landing page?", "能否请设计评审一下新落地页？"),
        ("Need a budget decision by Friday.", "需要在周五前定下预算。")]


@dataclass(frozen=True)
class Spec:
    """What to generate: `people` people in teams of ~`team_size` (or exactly `team_sizes`)."""

    people: int = 10_000
    seed: int = 1
    as_of: date = field(default_factory=lambda: datetime.now(UTC).date())
    team_size: int = 8
    teams_per_department: int = 25
    weeks: int = 12
    team_sizes: tuple[int, ...] = ()

    @property
    def week0(self) -> date:
        """Monday of the first week with check-ins (`weeks` weeks before the as-of week)."""
        monday = self.as_of - timedelta(days=self.as_of.weekday())
        return monday - timedelta(weeks=self.weeks)


@dataclass
class _KR:
    id: int
    objective_id: int
    owner: int  # who checks in on it
    kind: str
    start: float
    target: float
    unit: str
    first_of_objective: bool
    locale: str


@dataclass
class _Ids:
    counters: dict[str, int] = field(default_factory=dict)

    def next(self, table: str) -> int:
        self.counters[table] = self.counters.get(table, 0) + 1
        return self.counters[table]


_MIDNIGHTS: dict[tuple[date, str], datetime] = {}


def _at(day: date, hour: float, tz: str) -> datetime:
    """`hour` hours after local midnight of `day` in `tz`, in UTC (offsets cached per day)."""
    midnight = _MIDNIGHTS.get((day, tz))
    if midnight is None:
        midnight = datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC)
        _MIDNIGHTS[(day, tz)] = midnight
    return midnight + timedelta(hours=hour)


def _team_sizes(spec: Spec, rng: random.Random) -> list[int]:
    if spec.team_sizes:
        return list(spec.team_sizes)
    sizes, left = [], spec.people
    while left > 0:
        size = min(left, rng.randint(spec.team_size - 2, spec.team_size + 2))
        sizes.append(size)
        left -= size
    return sizes


def generate(spec: Spec) -> Iterator[tuple[str, list[Row]]]:
    """Every row of the company, table by table in foreign-key order, in chunks."""
    rng = random.Random(spec.seed)
    ids = _Ids()
    created = datetime.combine(spec.week0 - timedelta(days=30), time(8), UTC)
    sizes = _team_sizes(spec, rng)
    total = sum(sizes)

    # People -------------------------------------------------------------------------
    zones = [z for z, _, _ in ZONES]
    weights = [w for _, w, _ in ZONES]
    locale_of = {z: loc for z, _, loc in ZONES}
    people: list[Row] = []
    for _ in range(total):
        pid = ids.next("person")
        tz = rng.choices(zones, weights)[0]
        locale = locale_of[tz] if rng.random() < 0.85 else ("en" if locale_of[tz] == "zh" else "zh")
        if locale == "zh":
            name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        else:
            name = f"{rng.choice(FIRST)} {rng.choice(LAST)}"
        people.append({"id": pid, "slack_user_id": f"U{pid:08d}", "name": name,
                       "email": f"user{pid}@example.com", "tz": tz, "locale": locale,
                       "is_admin": pid == 1, "dm_channel_id": f"D{pid:08d}",
                       "created_at": created, "updated_at": created})
    yield from _chunked("person", people)

    # Teams: company → departments → teams ------------------------------------------------
    teams: list[Row] = []
    members: list[Row] = []
    schedules: list[Row] = []
    company = ids.next("team")
    teams.append({"id": company, "name": "Acme", "slack_channel_id": f"C{company:08d}",
                  "parent_id": None, "created_at": created})
    n_departments = max(1, -(-len(sizes) // spec.teams_per_department))
    departments = []
    for d in range(n_departments):
        dept = ids.next("team")
        word = DEPARTMENTS[d % len(DEPARTMENTS)]
        name = word if d < len(DEPARTMENTS) else f"{word} {d // len(DEPARTMENTS) + 1}"
        teams.append({"id": dept, "name": name, "slack_channel_id": f"C{dept:08d}",
                      "parent_id": company, "created_at": created})
        departments.append(dept)
    team_of: dict[int, int] = {}
    lead_of: dict[int, int] = {}
    dept_of: dict[int, int] = {}
    team_members: dict[int, list[int]] = {}
    next_person = 1
    for t, size in enumerate(sizes):
        dept = departments[t // spec.teams_per_department]
        tid = ids.next("team")
        word = TEAM_WORDS[t % len(TEAM_WORDS)]
        dept_name = teams[dept - company]["name"]
        teams.append({"id": tid, "name": f"{dept_name} {word} {t + 1}",
                      "slack_channel_id": f"C{tid:08d}", "parent_id": dept,
                      "created_at": created})
        roster = list(range(next_person, next_person + size))
        next_person += size
        team_members[tid] = roster
        lead_of[tid], dept_of[tid] = roster[0], dept
        for pid in roster:
            team_of[pid] = tid
            members.append({"team_id": tid, "person_id": pid, "is_lead": pid == roster[0]})
    # Each department is led by the lead of its first team, the company by the first one's.
    dept_lead: dict[int, int] = {}
    for tid in team_members:
        dept_lead.setdefault(dept_of[tid], lead_of[tid])
    for dept, lead in dept_lead.items():
        members.append({"team_id": dept, "person_id": lead, "is_lead": True})
    ceo = dept_lead[departments[0]]
    members.append({"team_id": company, "person_id": ceo, "is_lead": True})
    lead_of.update(dept_lead)
    lead_of[company] = ceo
    person_zone = {p["id"]: p["tz"] for p in people}
    for team in teams:
        tz = person_zone[lead_of[team["id"]]]
        schedules.append({
            "id": ids.next("schedule"), "team_id": team["id"], "timezone": tz,
            "checkin_cadence": "weekly", "checkin_weekdays": rng.choice(["mon", "tue", "mon"]),
            "checkin_time": time(rng.choice([9, 10, 10, 11])), "reminder_after_hours": 24,
            "digest_cadence": "off" if team["id"] == company else "biweekly",
            "digest_weekday": "fri", "digest_time": time(16), "digest_channel_id": None,
            "anchor_date": date(2026, 1, 5), "work_start": time(9), "work_end": time(18)})
    yield from _chunked("team", teams)
    yield from _chunked("team_member", members)
    yield from _chunked("schedule", schedules)

    # The cycle and its Objectives ------------------------------------------------------------
    cycle_id = ids.next("cycle")
    start = spec.week0 - timedelta(days=3)
    yield "cycle", [{"id": cycle_id, "name": f"Cycle {start.isoformat()}", "start_date": start,
                     "end_date": start + timedelta(weeks=spec.weeks + 14), "state": "active"}]
    objectives: list[Row] = []
    krs: list[_KR] = []
    kr_rows: list[Row] = []
    locale_by_person = {p["id"]: p["locale"] for p in people}

    def objective(owner_person: int | None, owner_team: int | None, parent: int | None,
                  position: int, locale: str, kr_owner: int, k: int) -> int:
        oid = ids.next("objective")
        en, zh = rng.choice(OBJECTIVES)
        objectives.append({
            "id": oid, "cycle_id": cycle_id, "key": None, "title": zh if locale == "zh" else en,
            "description": "", "type": rng.choices(
                ["committed", "aspirational", "learning"], [6, 3, 1])[0],
            "state": "active", "owner_person_id": owner_person, "owner_team_id": owner_team,
            "parent_id": parent, "position": position, "created_at": created,
            "updated_at": created})
        for j in range(k):
            _add_kr(rng, ids, krs, kr_rows, oid, kr_owner if owner_team or rng.random() < 0.5
                    else None, kr_owner, j, locale, created)
        return oid

    def count() -> int:
        return rng.choices([2, 3, 4], [1, 2, 1])[0]

    company_objectives = [objective(None, company, None, i, locale_by_person[ceo], ceo, count())
                          for i in range(4)]
    dept_objectives = {
        d: [objective(None, d, rng.choice(company_objectives), i, locale_by_person[dept_lead[d]],
                      dept_lead[d], count()) for i in range(3)]
        for d in departments}
    team_objectives = {}
    for tid in team_members:
        lead = lead_of[tid]
        team_objectives[tid] = [
            objective(None, tid, rng.choice(dept_objectives[dept_of[tid]]), i,
                      locale_by_person[lead], rng.choice(team_members[tid]), count())
            for i in range(3)]
    for pid in range(1, total + 1):
        parent_pool = team_objectives[team_of[pid]]
        for i in range(count()):
            parent = rng.choice(parent_pool) if rng.random() < 0.9 else None
            objective(pid, None, parent, i, locale_by_person[pid], pid, count())

    # Check-ins, value history and the KRs' current values ---------------------------------------
    checkins: list[Row] = []
    history: list[Row] = []
    participation = {pid: rng.uniform(0.6, 1.0) for pid in range(1, total + 1)}
    weeks = [spec.week0 + timedelta(weeks=w) for w in range(spec.weeks)]
    answered: dict[tuple[int, int], bool] = {}
    for kr in krs:
        row = kr_rows[kr.id - 1]
        tz = person_zone[kr.owner]
        goal = rng.uniform(0.2, 1.15)
        value = kr.start
        last_at: datetime | None = None
        for w, monday in enumerate(weeks):
            key = (kr.owner, w)
            if key not in answered:
                answered[key] = rng.random() < participation[kr.owner]
            if not answered[key]:
                continue
            at = _at(monday, 10 + 7 * rng.random() + 24 * int(3 * rng.random()), tz)
            previous = value
            if kr.kind == "milestone":
                value = 1.0 if (w + 1) / spec.weeks >= 1.05 - goal else 0.0
            else:
                share = min(goal * (w + 1) / spec.weeks - 0.03 + 0.08 * rng.random(), 1.2)
                value = round(kr.start + (kr.target - kr.start) * max(share, 0.0), 1)
            expected = (w + 1) / spec.weeks
            progress = 0.0 if kr.target == kr.start else (value - kr.start) / (kr.target - kr.start)
            confidence = ("on_track" if progress >= 0.8 * expected else
                          "at_risk" if progress >= 0.5 * expected else "off_track")
            cid = ids.next("checkin")
            iso = monday.isocalendar()
            period = f"{iso[0]}-W{iso[1]:02d}"
            notes = _notes(rng, kr, team_members[team_of[kr.owner]])
            checkins.append({
                "id": cid, "key_result_id": kr.id, "author_id": kr.owner,
                "period_key": period, "value": value,
                "previous_value": previous, "confidence": confidence, **notes,
                "source": "slack", "idempotency_key": f"slack:{kr.owner}:{kr.id}:{period}",
                "version": 1, "created_at": at, "updated_at": at})
            if value != previous:
                history.append({"id": ids.next("kr_value_history"), "key_result_id": kr.id,
                                "at": at, "value": value, "target_value": None,
                                "source": "slack", "checkin_id": cid,
                                "changed_by_id": kr.owner})
            row["current_value"], row["confidence"], last_at = value, confidence, at
        row["last_checkin_at"] = last_at
    yield from _chunked("objective", objectives)
    yield from _chunked("key_result", kr_rows)
    yield from _chunked("checkin", checkins)
    yield from _chunked("kr_value_history", history)

    # Absences, holidays, and the outbox history of sent prompts and digests ----------------
    absences = []
    for pid in range(1, total + 1):
        if rng.random() < 0.03:
            first = spec.week0 + timedelta(days=rng.randint(0, 7 * spec.weeks))
            absences.append({"id": ids.next("absence"), "person_id": pid, "start_date": first,
                             "end_date": first + timedelta(days=rng.randint(2, 10)),
                             "reason": "vacation"})
    holidays = [{"id": ids.next("holiday"), "team_id": tid,
                 "day": spec.week0 + timedelta(days=rng.randint(0, 7 * spec.weeks)),
                 "name": "Local holiday"} for tid in team_members if rng.random() < 0.3]
    yield from _chunked("absence", absences)
    yield from _chunked("holiday", holidays)
    deliveries = []
    for w, monday in enumerate(weeks):
        for pid in range(1, total + 1):
            due = _at(monday, 10, person_zone[pid])
            deliveries.append({
                "id": ids.next("delivery"), "kind": "checkin",
                "dedupe_key": f"checkin:{pid}:{monday.isoformat()}", "person_id": pid,
                "team_id": team_of[pid], "slot_key": monday.isoformat(), "due_at": due,
                "status": "sent", "attempts": 1, "next_attempt_at": due, "lease_owner": "seed",
                "lease_expires_at": due + timedelta(minutes=2), "channel_id": f"D{pid:08d}",
                "ts": f"{int(due.timestamp())}.{pid:06d}", "payload": "{}",
                "last_error": None, "created_at": due, "sent_at": due})
        if w % 2 == 1:
            for team in teams[1:]:
                due = _at(monday + timedelta(days=4), 16, person_zone[lead_of[team["id"]]])
                deliveries.append({
                    "id": ids.next("delivery"), "kind": "digest",
                    "dedupe_key": f"digest:{team['id']}:{w // 2}", "person_id": None,
                    "team_id": team["id"], "slot_key": str(w // 2), "due_at": due,
                    "status": "sent", "attempts": 1, "next_attempt_at": due,
                    "lease_owner": "seed", "lease_expires_at": due + timedelta(minutes=2),
                    "channel_id": team["slack_channel_id"],
                    "ts": f"{int(due.timestamp())}.{team['id']:06d}", "payload": "{}",
                    "last_error": None, "created_at": due, "sent_at": due})
    yield from _chunked("delivery", deliveries)


def _add_kr(rng: random.Random, ids: _Ids, krs: list[_KR], rows: list[Row], objective_id: int,
            owner_person: int | None, checker: int, position: int, locale: str,
            created: datetime) -> None:
    kid = ids.next("key_result")
    if rng.random() < 0.2:
        en, zh = rng.choice(MILESTONES)
        kind, start, target, unit, direction, title = "milestone", 0.0, 1.0, "", "increase", (
            zh if locale == "zh" else en)
    else:
        en, zh, unit, a, b, direction = rng.choice(METRICS)
        scale = rng.choice([1, 1, 2, 5])
        start, target = float(a * scale), float(b * scale)
        pct = round(100 * abs(a - b) / max(a, 1))
        title = (zh if locale == "zh" else en).format(a=start, b=target, p=pct)
        kind = "metric"
    krs.append(_KR(kid, objective_id, checker, kind, start, target, unit, position == 0, locale))
    rows.append({
        "id": kid, "objective_id": objective_id, "key": None, "title": title,
        "owner_person_id": owner_person, "kind": kind, "start_value": start,
        "target_value": target, "current_value": start, "unit": unit, "direction": direction,
        "confidence": None, "state": "active", "position": position, "last_checkin_at": None,
        "created_at": created, "updated_at": created})


def _notes(rng: random.Random, kr: _KR, teammates: list[int]) -> Row:
    """Progress, blockers and help on an Objective's first KR (as the check-in stores them)."""
    zh = kr.locale == "zh"
    empty: Row = {"progress": "", "blockers": "", "help_needed": "", "help_from_person_id": None}
    if not kr.first_of_objective:
        return empty
    n = 2 + int(8 * rng.random())
    if rng.random() < 0.6:
        en, cn = rng.choice(PROGRESS)
        empty["progress"] = (cn if zh else en).format(n=n, v=f"{5 + n * 3}%")
    if rng.random() < 0.1:
        en, cn = rng.choice(BLOCKERS)
        empty["blockers"] = (cn if zh else en).format(n=n)
    if rng.random() < 0.04:
        en, cn = rng.choice(HELP)
        empty["help_needed"] = cn if zh else en
        others = [p for p in teammates if p != kr.owner]
        empty["help_from_person_id"] = rng.choice(others) if others else None
    return empty


def _chunked(table: str, rows: list[Row]) -> Iterator[tuple[str, list[Row]]]:
    for start in range(0, len(rows), CHUNK):
        yield table, rows[start : start + CHUNK]
