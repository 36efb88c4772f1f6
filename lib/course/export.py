"""오답노트 export: one self-contained HTML file (offline, printable, readable on a phone).

``write_wrong_notes()`` writes it into the one visible, git-ignored folder ``exports/`` (spec §13,
``exports_dir()``; ``exports/odapnote-<date>.html``) and returns the path. It reads the progress file
again at every call unless a record is given. Contents: the quiz items the learner has missed (still-wrong ones first), each
with the choice they gave when it was recorded, the key and its explanation; the typical mistakes
``check`` named on failed attempts (``progress.record_check_failure``); the weak claims with their
names; links back to the chapter sections; the term cards still answered wrong. One file, inline
CSS, no script, no external resource.
"""

import datetime as _dt
import html
import os
import pathlib
import re

from lib.course import progress, scheduler
from lib.course.claims import CLAIMS
from lib.course.outline import CHAPTERS, item_link


def _day(at) -> str:
    """The learner's local calendar day of a time stamp (``scheduler.parse_day``), as text."""
    day = scheduler.parse_day(at)
    return day.isoformat() if day else str(at)[:10]


CSS = """
body{font-family:-apple-system,'Apple SD Gothic Neo','Malgun Gothic','NanumGothic','Noto Sans CJK KR',sans-serif;
max-width:46em;margin:0 auto;padding:1em;line-height:1.55;color:#1f2328;word-break:keep-all;overflow-wrap:anywhere}
h1{font-size:1.5em}h2{font-size:1.2em;border-bottom:1px solid #d0d7de;margin-top:1.6em}
.item{border-left:4px solid #cf222e;padding:.4em .8em;margin:.8em 0;background:#fff8f8;page-break-inside:avoid}
.item.fixed{border-color:#bf8700;background:#fffbea}
.choice{margin:.1em 0 .1em 1em}.key{color:#1a7f37;font-weight:bold}.mine{color:#cf222e}
.meta{color:#57606a;font-size:.9em}code,pre{background:#f6f8fa;font-size:.92em;font-family:ui-monospace,'D2Coding','NanumGothicCoding',Consolas,monospace;word-break:normal}pre{padding:.4em;overflow-x:auto}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:.2em .5em}
@media print{body{max-width:none;font-size:11pt}a{color:inherit;text-decoration:none}.item{background:none}}
"""

MARKS = ("①", "②", "③", "④")


def _text(text: str) -> str:
    """Item text (with ``` fences, `code`, **bold**) -> HTML."""
    parts = str(text).split("```")
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            first, _, rest = part.partition("\n")
            code = (rest if first.strip().isalpha() else part).strip("\n").rstrip()  # keep a first line's indent
            out.append(f"<pre>{html.escape(code)}</pre>")
        else:
            escaped = html.escape(part)
            escaped = re.sub(r"`([^`\n]+)`", r"<code>\1</code>", escaped)
            escaped = re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", escaped, flags=re.S)
            out.append(escaped.replace("\n", "<br>"))
    return "".join(out)


_CODE_LIKE = re.compile(r"^[\x00-\x7f]*[()\[\]=.][\x00-\x7f]*$")


def _choice(text: str) -> str:
    """A choice as HTML; a choice that is only code (ASCII with brackets, dots or =) in the code font."""
    text = str(text)
    if "`" not in text and "```" not in text and _CODE_LIKE.match(text.strip()) and " " not in text.strip()[:1]:
        return f"<code>{html.escape(text)}</code>"
    return _text(text)


def _link(markdown_link: str) -> str:
    match = re.match(r"\[([^\]]+)\]\(([^)]+)\)", markdown_link)
    if not match:
        return html.escape(markdown_link)
    return f"<a href='{html.escape(match.group(2))}'>{html.escape(match.group(1))}</a>"


def missed_items(items, data) -> list:
    """[(item, state, last wrong event)] for items with a wrong answer: still wrong first (their
    last answer was wrong), then the ones since answered right; course order within each."""
    quiz = scheduler.quiz_record(data)
    exam = scheduler.exam_day(data)
    out = []
    for item in items:
        events = scheduler.events_of(quiz.get(item.id))
        wrong = [event for _day, event in events if not event["correct"]]
        if wrong:
            out.append((item, scheduler.replay(quiz.get(item.id), exam), wrong[-1]))
    return sorted(out, key=lambda row: row[1].last_correct is not False)  # stable


def weak_claims(items, data, below: float = 0.6, exercises: dict | None = None) -> list:
    """[(claim, mastery)] of the claims met (an item answered) with mastery below ``below``.

    A claim's mastery is ``scheduler.started_claim_mastery``: the mean over its items in the chapters
    the learner has started, the same figure as the dashboard's and "다시 볼 곳"'s. ``exercises`` maps
    exercise id -> chapter (default: every registered exercise)."""
    if exercises is None:
        from lib.course.checks import EXERCISES
        exercises = {ex.id: ex.chapter for ex in EXERCISES.values()}
    by_id = scheduler.states(items, data)
    mastery = scheduler.started_claim_mastery(items, data, exercises)
    met = {item.claim for item in items if not by_id[item.id].is_new}
    out = [(claim, m) for claim, m in mastery.items() if claim in met and m < below]
    return sorted(out, key=lambda kv: (kv[1], kv[0]))


def check_mistakes(data) -> list:
    """[(exercise id, [(mistake, count, last time)])] from ``check_failures``, most failed first."""
    failures = data.get("check_failures") if isinstance(data, dict) else None
    out = []
    for exercise, events in (failures or {}).items():
        if not isinstance(events, list):
            continue
        counts = {}
        for event in events:
            if isinstance(event, dict):
                name = event.get("mistake") or "(이름 없는 실패: 모양·값이 다름 등)"
                count, _last = counts.get(name, (0, ""))
                counts[name] = (count + 1, str(event.get("at", "")))
        if counts:
            rows = sorted(((n, c, last) for n, (c, last) in counts.items()), key=lambda r: (-r[1], r[0]))
            out.append((exercise, rows))
    return sorted(out, key=lambda row: (-sum(r[1] for r in row[1]), row[0]))


def render(items, data, day: _dt.date, exercises: dict | None = None, prefix: str = "",
           label: str = "", order=None) -> str:
    """The 오답노트 as an HTML string. ``exercises`` maps exercise id -> chapter (for the links);
    ``prefix`` goes before the notebook names in links; ``order(item)`` gives the shown order."""
    exercises = exercises or {}
    order = order or (lambda item: [0, 1, 2, 3])
    missed = missed_items(items, data)
    weak = weak_claims(items, data, exercises=exercises or None)
    mistakes = check_mistakes(data)
    body = [f"<h1>오답노트 <span class='meta'>{day.isoformat()}</span></h1>"]
    if label:
        body.append(f"<p class='meta'>{html.escape(label)}</p>")
    body.append(f"<p>틀린 적 있는 문항 {len(missed)}개 · 연습문제에서 나온 실수 {sum(len(r) for _e, r in mistakes)}종 · "
                f"약한 주장 {len(weak)}개</p>")

    body.append("<h2>1. 약한 주장 (노트의 주장별 숙련도 0.6 미만)</h2>")
    if weak:
        rows = "".join(f"<tr><td>{c}</td><td>{html.escape(CLAIMS[c][1])}</td><td>{m:.2f}</td></tr>"
                       for c, m in weak if c in CLAIMS)
        body.append(f"<table><tr><th>주장</th><th>내용</th><th>숙련도</th></tr>{rows}</table>")
    else:
        body.append("<p>숙련도가 낮은 주장이 없습니다.</p>")

    body.append("<h2>2. 틀린 문항</h2>")
    if not missed:
        body.append("<p>아직 틀린 문항이 없습니다.</p>")
    for item, state, wrong in missed:
        shown = order(item)
        mine = wrong.get("choice")
        lines = []
        for position, canonical in enumerate(shown):
            cls = "key" if canonical == item.answer else "mine" if canonical == mine else ""
            tag = " ← 정답" if canonical == item.answer else " ← 내 답" if canonical == mine else ""
            lines.append(f"<div class='choice {cls}'>{MARKS[position]} {_choice(item.choices[canonical])}{tag}</div>")
        why = (f"<div><b>내 답이 틀린 이유:</b> {_text(item.why_wrong[mine])}</div>"
               if isinstance(mine, int) and 0 <= mine < 4 and mine != item.answer else "")
        status = "아직 틀린 상태" if state.last_correct is False else "그 뒤에 맞힘"
        confident = " · 확실하다고 했는데 틀림" if wrong.get("confidence") == "확실" else ""
        when = scheduler.parse_day(wrong.get("at"))
        body.append(
            f"<div class='item{'' if state.last_correct is False else ' fixed'}'>"
            f"<div class='meta'>{item.id} · {item.chapter}장 · {item.claim} · {status}{confident}"
            f" · 틀린 날 {when.isoformat() if when else '?'}</div>"
            f"<div><b>{_text(item.question)}</b></div>{''.join(lines)}{why}"
            f"<div><b>풀이:</b> {_text(item.explanation)}</div>"
            f"<div class='meta'>다시 볼 곳: {_link(item_link(item, prefix))}</div></div>")

    body.append("<h2>3. 연습문제에서 check가 알려 준 실수</h2>")
    if not mistakes:
        body.append("<p>기록된 실패가 없습니다.</p>")
    for exercise, rows in mistakes:
        chapter = exercises.get(exercise)
        where = ""
        if chapter in CHAPTERS:
            stem, title = CHAPTERS[chapter]
            where = f" — <a href='{html.escape(prefix)}{stem}.ipynb'>{chapter} {html.escape(title)}</a>"
        items_html = "".join(f"<li>{html.escape(name)} × {count} "
                             f"<span class='meta'>(마지막 {html.escape(_day(last))})</span></li>"
                             for name, count, last in rows)
        body.append(f"<div><code>{html.escape(exercise)}</code>{where}<ul>{items_html}</ul></div>")
    from lib.course import terms

    cards = {card.id: card for card in terms.CARDS}
    missed_terms = sorted({item.card for item, state, _w in missed_items(terms.items(), data)
                           if state.last_correct is False})
    if missed_terms:
        body.append("<h2>4. 아직 헷갈리는 용어 (용어 카드)</h2><table><tr><th>한국어</th><th>English</th><th>코드</th></tr>")
        body += [f"<tr><td>{html.escape(cards[c].ko)}</td><td>{html.escape(cards[c].en)}</td>"
                 f"<td>{_text(cards[c].api) if cards[c].api else '—'}</td></tr>" for c in missed_terms]
        body.append("</table>")
    return ("<!DOCTYPE html><html lang='ko'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>오답노트 {day.isoformat()}</title><style>{CSS}</style></head><body>"
            + "".join(body) + "</body></html>")


def exports_dir() -> pathlib.Path:
    """The one visible folder for everything the learner opens away from the notebooks (spec §13).

    ``COURSE_EXPORTS_DIR`` overrides it (tests point it at a temporary folder); otherwise
    ``<course root>/exports`` (git-ignored). Created on demand.
    """
    override = os.environ.get("COURSE_EXPORTS_DIR")
    folder = pathlib.Path(override) if override else progress.REPO_ROOT / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def default_path(day: _dt.date) -> pathlib.Path:
    return exports_dir() / f"odapnote-{day.isoformat()}.html"


def write_wrong_notes(path=None, items=None, data=None, day: _dt.date | None = None, label: str = "",
                      order=None) -> pathlib.Path:
    """Write the 오답노트 HTML and return its path (default ``exports/odapnote-<date>.html``).
    ``items``/``data``/``day`` default to the bank, the progress file (read now) and today."""
    from lib.course.checks import EXERCISES

    if items is None:
        from lib.course import quiz

        items = quiz.load_items()
    if order is None:
        from lib.course import quiz

        order = getattr(quiz, "display_order", None)
    data = progress.load_progress() if data is None else data
    day = day or scheduler.today()
    path = pathlib.Path(path) if path is not None else default_path(day)
    path.parent.mkdir(parents=True, exist_ok=True)
    chapters_dir = progress.REPO_ROOT / "chapters"
    try:
        prefix = os.path.relpath(chapters_dir, path.parent).replace(os.sep, "/") + "/"
    except ValueError:  # Windows: another drive has no relative path
        prefix = chapters_dir.as_uri() + "/"
    text = render(items, data, day, {e.id: e.chapter for e in EXERCISES.values()}, prefix, label, order)
    path.write_text(text, encoding="utf-8")
    return path
