"""The Markdown review export in the admin's language, with every text people or files wrote
escaped for Markdown and HTML — checked by rendering it with a CommonMark parser that lets
raw HTML and any link through, as a careless viewer would."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt
from markdown_it.token import Token
from sqlmodel import select

from bot.cli import main
from bot.clock import FakeClock
from bot.domain.review_rules import KRReviewInput
from bot.rendering import load_catalogue
from bot.review_markdown import escape_markdown, review_markdown
from bot.services.people import view_of
from bot.services.review import answers as review
from bot.services.review.export import review_calibrations, review_report
from storage.db import Database
from storage.models import Cycle, KeyResult, Objective, Person, Team
from tests.scenarios.review_support import World, reviewed_world

ATTACKS = ("<img src=x onerror=alert(1)>", "[click](javascript:alert(1))",
           "<iframe src=//evil.example>", "![i](https://e/x.png)",
           "*bold* _it_ `code` ~~s~~ | cell | <https://e.example> &amp; \\ # end ##")
HOSTILE = " ".join(ATTACKS)  # fits every name column (200) after the name it is added to
CYCLE = "Q4 <script>a()</script> [x](javascript:c) | `*_# ##"  # fits a cycle's name (64)


def permissive() -> MarkdownIt:
    """CommonMark with GFM tables, raw HTML allowed and no check of link targets."""
    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.validateLink = lambda url: True
    return md


def walk(tokens: list[Token]) -> list[Token]:
    out: list[Token] = []
    for token in tokens:
        out.append(token)
        out.extend(walk(token.children or []))
    return out


@pytest.fixture
def world(db: Database, clock: FakeClock) -> World:
    return reviewed_world(db, clock, leads_detail="Market shrank",
                          market_lessons={"what_worked": "Partner webinars"}, explore_lessons={})


def markdown(db: Database, locale: str) -> str:
    return review_markdown(review_report(db, cycle="2026-Q4"), load_catalogue(locale))


def test_english_reads_verdicts_types_and_colours_in_words(db: Database, world: World) -> None:
    text = markdown(db, "en")
    assert text.startswith("# Review of 2026-Q4 (2026-10-01 – 2026-12-31, active)\n")
    assert ("### Win the market\n\n- Owner: Ana\n- Type: committed\n- Score: 0.95 🟡\n"
            "- Verdict: missed\n") in text
    assert "| Key Result | Measured | Final | Cause | Note |" in text
    assert "| Qualified leads | 0.90 | 0.90 | Objective (external) | Market shrank |" in text
    assert "**What worked:** Partner webinars" in text
    assert "- Type: aspirational" in text and "**Lessons to keep:** Weekly demos" in text
    # a learning Objective reviewed without a lesson: its verdict in words, not `no_learning`
    assert "- Verdict: nothing learned recorded yet" in text and "no_learning" not in text
    assert "- Verdict: missed (not reviewed yet)" in text


def test_chinese_speaks_chinese(db: Database, world: World) -> None:
    text = markdown(db, "zh")
    assert text.startswith("# 2026-Q4 复盘（2026-10-01 – 2026-12-31，进行中）\n")
    assert "- 负责人：Ana\n- 类型：承诺型\n- 得分：0.95 🟡\n- 结论：未达成\n" in text
    assert "| 关键成果 | 实际进度 | 最终得分 | 原因 | 具体情况 |" in text
    assert "| Qualified leads | 0.90 | 0.90 | 客观原因（外部） | Market shrank |" in text
    assert "- 结论：尚未记录学到了什么" in text
    assert "**成功经验：** Partner webinars" in text
    assert "Verdict" not in text and "committed" not in text


def test_hostile_text_everywhere_stays_text(db: Database, world: World, clock: FakeClock) -> None:
    with db.write() as session:
        for model in (Team, Objective, KeyResult, Person):
            for row in session.exec(select(model)).all():
                if model in (Objective, KeyResult):
                    row.title = f"{row.title} {HOSTILE}"
                else:
                    row.name = f"{row.name} {HOSTILE}"
                session.add(row)
        q4 = session.exec(select(Cycle)).one()
        q4.name = CYCLE
        session.add(q4)
    ana = view_of(world.ana)
    result = review.submit(db, clock, ana, review.ReviewSubmission(
        "view:VX:h", world.q4.id or 0, 0, world.market.id or 0,
        {world.leads.id: KRReviewInput("0.9", "objective", HOSTILE),
         world.launch.id: KRReviewInput("1")}, {"what_worked": HOSTILE, "avoid": HOSTILE}))
    assert isinstance(result, review.Saved)
    text = review_markdown(review_report(db, cycle=CYCLE), load_catalogue("en"),
                           review_calibrations(db, cycle=CYCLE))
    assert "## Calibration across cycles" in text
    tokens = walk(permissive().parse(text))
    kinds = {t.type for t in tokens}
    assert not kinds & {"html_inline", "html_block", "link_open", "image", "code_inline",
                        "em_open", "s_open"}
    shown = [t.content for t in tokens if t.type == "text"]
    # every title, name and note reads back exactly as written, headings and cells included
    assert sum(HOSTILE in s for s in shown) >= 9
    assert any(CYCLE in s for s in shown)
    html = permissive().render(text)
    assert "<img" not in html and "<iframe" not in html and "<script" not in html
    assert "href=" not in html
    headings = [t for t in tokens if t.type == "heading_open"]
    assert [h.tag for h in headings].count("h3") == 4 + 1  # + Growth's calibration
    widths: list[list[int]] = []  # per table, the cell count of each row
    for token in tokens:
        if token.type == "table_open":
            widths.append([])
        elif token.type == "tr_open":
            widths[-1].append(0)
        elif token.type in ("td_open", "th_open"):
            widths[-1][-1] += 1
    assert [sorted(set(w)) for w in widths] == [[5]] * 4 + [[6]]  # no row grew a column


@pytest.mark.parametrize(("raw", "shown"), [
    ("<b>", "&lt;b&gt;"), ("a|b", "a\\|b"), ("[x](y)", "\\[x\\](y)"), ("two\nlines", "two lines"),
    ("*_`~#!{}\\", "\\*\\_\\`\\~\\#\\!\\{\\}\\\\"), ("&amp;", "&amp;amp;"),
    ("&#60;", "&amp;\\#60;"), ("Docs & Support", "Docs & Support"),
])
def test_escaping_one_piece_of_text(raw: str, shown: str) -> None:
    assert escape_markdown(raw) == shown


def test_the_command_line_speaks_the_locale_asked_or_the_default(
    db: Database, world: World, database_url: str, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert main(["export", "--cycle", "2026-Q4", "--review", "--format", "md",
                 "--locale", "zh"]) == 0
    assert "- 结论：未达成" in capsys.readouterr().out
    monkeypatch.setenv("DEFAULT_LOCALE", "zh")
    assert main(["export", "--cycle", "2026-Q4", "--format", "md"]) == 0
    assert "- 结论：未达成" in capsys.readouterr().out
    assert main(["export", "--cycle", "2026-Q4", "--format", "md", "--locale", "en"]) == 0
    assert "- Verdict: missed" in capsys.readouterr().out
