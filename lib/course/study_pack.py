"""노트 다시 보기 (issue 22): what the learner rereads a hundred times, as two offline HTML files.

    from lib.course import study_pack
    study_pack.write_all()   # -> [exports/notes-annotated.html, exports/key-summary.html]
    python tools/study_pack.py

1. ``notes-annotated.html``: every sentence of notes/study-notes.md exactly as written (headings,
   code and the place of the missing figure kept), each with a mark (✓ 맞음 / 보충 / 📝 점검), the
   claim, the exam answer of the chapter's 📝 box where there is one, and links to the chapter cells.
2. ``key-summary.html``: 핵심 정리, one page per chapter 00–10: the notes' sentences and claims of the
   chapter, its formulas, its 시험 답안 lines, one key figure, its terms, and this learner's
   most-missed items (read fresh from the progress file at each call).

Sources, all read at each call: the notes; ``notes_annotations.json`` (which note sentence gets which
mark, claims, cells and 📝 box; the key figure and formulas per chapter); solutions/*.ipynb (the boxes'
**시험 답안으로는:** lines, headings, stored figures); chapters/*.ipynb (link targets); lib.course
claims/terms/quiz/progress. Each file is self-contained: CSS, a subset of NanumGothic (shipped by
koreanize-matplotlib) as a data: URL, figures as base64 PNG, formulas as MathML; no script, no
network reference. Readable at 390 px (long lines wrap or scroll inside their own box), A4 print CSS.
"""

import base64
import functools
import html
import importlib.util
import io
import json
import os
import pathlib
import re
from dataclasses import dataclass

from lib.course import export, progress, scheduler, terms
from lib.course.claims import CLAIMS
from lib.course.outline import CHAPTERS

ROOT = progress.REPO_ROOT
NOTES = ROOT / "notes" / "study-notes.md"
DATA = pathlib.Path(__file__).with_name("notes_annotations.json")
NOTES_FILE = "notes-annotated.html"
SUMMARY_FILE = "key-summary.html"
SUMMARY_CHAPTERS = [ch for ch in CHAPTERS if ch != "11"]  # 00-10; 11 is the review itself
MARKS = {"ok": "✓ 맞음", "more": "보충", "fix": "📝 점검"}
MARK_HELP = {"ok": "노트가 맞고, 장에서 실험으로 확인합니다.",
             "more": "노트가 맞고, 장의 📝 노트 점검(보충) 상자가 덧붙이는 것이 있습니다.",
             "fix": "장의 📝 노트 점검 상자가 노트를 바로잡습니다. 시험에는 아래 답을 쓰세요."}
EXAM_MARK = "**시험 답안으로는:**"
FONT_FAMILY = "CourseNanumGothic"
MISSED_SHOWN = 5


# ---------------------------------------------------------------- the notes, split into units


@dataclass(frozen=True)
class Block:
    """A piece of the notes. ``source``: its lines exactly as in the file (joined, they give the file
    back). ``units``: what gets an annotation — sentences of a paragraph, a bullet's text, a code
    block (named by its first line), an image line; () for headings, rules and blank lines."""
    kind: str  # "text" | "bullet" | "code" | "image" | "heading" | "rule" | "blank"
    source: str
    units: tuple = ()
    body: str = ""  # heading text, code, or the paragraph without its indent


SENTENCE_END = re.compile(r"(?<=[.?!])\s+")
IMAGE = re.compile(r"!\[([^\]]*)\]\(([^)]+)\)")


def split_sentences(paragraph: str) -> list:
    """Sentences of one paragraph: split after . ? ! followed by white space. Deterministic; a
    period followed directly by a character (``다.(아마``, ``tf.losses``) does not split."""
    text = re.sub(r"\s+", " ", paragraph.replace("&emsp;", " ")).strip()
    return [s for s in SENTENCE_END.split(text) if s] if text else []


def parse_notes(text: str) -> list:
    """The notes as blocks, in order; ``"".join(b.source for b in blocks) == text``."""
    lines = text.splitlines(keepends=True)
    blocks, i = [], 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if stripped.startswith("```"):
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith("```"):
                j += 1
            code = "".join(lines[i + 1:j]).rstrip("\n")
            first = next((ln.strip() for ln in code.splitlines() if ln.strip()), "")
            j = min(j + 1, len(lines))
            blocks.append(Block("code", "".join(lines[i:j]), (first,) if first else (), code))
            i = j
            continue
        if not stripped:
            blocks.append(Block("blank", line))
        elif re.fullmatch(r"-{3,}|\*{3,}", stripped):
            blocks.append(Block("rule", line))
        elif stripped.startswith("#"):
            blocks.append(Block("heading", line, (), stripped.lstrip("#").strip()))
        elif IMAGE.fullmatch(stripped):
            blocks.append(Block("image", line, (stripped,), stripped))
        elif re.match(r"[-*+]\s", stripped):
            body = stripped[2:].strip()
            blocks.append(Block("bullet", line, (body,), body))
        else:
            j = i + 1
            while j < len(lines) and lines[j].strip() and not re.match(r"(```|#|[-*+]\s|!\[|-{3,})",
                                                                       lines[j].strip()):
                j += 1
            paragraph = "".join(lines[i:j])
            blocks.append(Block("text", paragraph, tuple(split_sentences(paragraph)),
                                re.sub(r"\s+", " ", paragraph.replace("&emsp;", " ")).strip()))
            i = j
            continue
        i += 1
    return blocks


def note_units(text: str | None = None) -> list:
    """Every unit of the notes, in order."""
    text = NOTES.read_text(encoding="utf-8") if text is None else text
    return [unit for block in parse_notes(text) for unit in block.units]


def load_data(path: pathlib.Path = DATA) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def annotation_index(data: dict) -> dict:
    """unit -> (entry number, entry) from the data file."""
    index = {}
    for number, entry in enumerate(data["notes"]):
        for unit in entry["units"]:
            index[unit] = (number, entry)
    return index


# ---------------------------------------------------------------- notebooks (read only)


def _notebook_path(folder: pathlib.Path, chapter: str) -> pathlib.Path:
    return folder / f"{CHAPTERS[chapter][0]}.ipynb"


@functools.lru_cache(maxsize=64)
def _cells(path: pathlib.Path, mtime: float) -> tuple:
    """((id, cell_type, source, outputs), ...) of a notebook; () when it cannot be read."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return ()
    out = []
    for cell in nb.get("cells", []):
        source = cell.get("source", "")
        source = "".join(source) if isinstance(source, list) else str(source)
        out.append((cell.get("id", ""), cell.get("cell_type", ""), source, cell.get("outputs", [])))
    return tuple(out)


def cells(chapter: str, folder: pathlib.Path | None = None) -> tuple:
    path = _notebook_path(folder or (ROOT / "solutions"), chapter)
    return _cells(path, path.stat().st_mtime) if path.exists() else ()


def cell_ids(chapter: str, folder: pathlib.Path | None = None) -> set:
    return {cell[0] for cell in cells(chapter, folder)}


def _plain(markdown: str) -> str:
    """A heading without markdown marks (`code`, *emphasis*, $math$ kept as its text)."""
    return re.sub(r"[`*$]|\\", "", markdown).strip()


def heading_of(chapter: str, cell_id: str) -> str:
    """The heading of the section the cell belongs to (for a 📝 box: the heading above the box)."""
    heading = ""
    for cid, kind, source, _outputs in cells(chapter):
        if kind == "markdown":
            stop = _link_point(source) if cid == cell_id else len(source)
            for match in re.finditer(r"(?m)^#{1,3}\s+(.*)$", source[:stop]):
                heading = match.group(1)
        if cid == cell_id:
            return _plain(heading)
    return ""


def _link_point(source: str) -> int:
    """Where in a cell its link points: at its 📝 box, else after a heading that opens it, else its start."""
    quoted = re.search(r"(?m)^\s*>.*📝 노트 점검", source)
    if quoted:
        return quoted.start()
    return len(source.split("\n", 1)[0]) if source.startswith("#") else 0


def exam_answer(chapter: str, cell_id: str) -> str | None:
    """The text after **시험 답안으로는:** in that cell (its quoted paragraph), or None."""
    for cid, kind, source, _outputs in cells(chapter):
        quoted = re.search(r"(?m)^\s*>.*" + re.escape(EXAM_MARK), source) if kind == "markdown" else None
        if cid == cell_id and quoted:
            rest = source[quoted.end():]
            lines = []
            for line in rest.split("\n"):
                line = re.sub(r"^\s*>\s?", "", line)
                if not line.strip():
                    break
                lines.append(line.strip())
            return " ".join(lines).strip() or None
    return None


def boxes(chapter: str) -> list:
    """[(cell id, "보충" or "점검", heading, exam answer)] of the chapter's 📝 boxes, in order."""
    out = []
    for cid, kind, source, _outputs in cells(chapter):
        if kind == "markdown" and "📝 노트 점검" in source and exam_answer(chapter, cid):
            out.append((cid, box_kind(source), heading_of(chapter, cid), exam_answer(chapter, cid)))
    return out


def _box_title(source: str) -> str:
    """The bold title of the quoted 📝 box: '📝 노트 점검 (C16) — 보충'."""
    quoted = re.search(r"(?m)^\s*>.*?(📝 노트 점검[^\n]*)", source)
    return quoted.group(1).split("** —")[0].split("**:")[0][:60] if quoted else ""


def box_kind(source: str) -> str:
    """"보충" when the box says so in its title, else "점검" (the note is corrected)."""
    return "보충" if "보충" in _box_title(source) else "점검"


def box_claims(source: str) -> list:
    """Claim ids named in the box's title ('📝 노트 점검 (C17, C18) — 보충' -> ['C17', 'C18'])."""
    return re.findall(r"\bC\d+\b", _box_title(source))


def figure_png(chapter: str, cell_id: str) -> str | None:
    """The first stored PNG output (base64) of that cell in the solution notebook, or None."""
    for cid, _kind, _source, outputs in cells(chapter):
        if cid == cell_id:
            for output in outputs:
                png = (output.get("data") or {}).get("image/png") if isinstance(output, dict) else None
                if png:
                    return "".join(png).replace("\n", "") if isinstance(png, list) else png.replace("\n", "")
    return None


def chapter_markdown(chapter: str) -> str:
    return "\n".join(source for _cid, kind, source, _o in cells(chapter) if kind == "markdown")


def _ref(ref: str) -> tuple:
    chapter, _, cell_id = ref.partition(":")
    return chapter, cell_id


# ---------------------------------------------------------------- LaTeX -> MathML (the course's subset)


GREEK = dict(alpha="α", beta="β", gamma="γ", delta="δ", epsilon="ϵ", varepsilon="ε", zeta="ζ", eta="η",
             theta="θ", lambda_="λ", mu="μ", nu="ν", xi="ξ", pi="π", rho="ρ", sigma="σ", tau="τ", phi="ϕ",
             varphi="φ", chi="χ", psi="ψ", omega="ω", Gamma="Γ", Delta="Δ", Theta="Θ", Lambda="Λ", Pi="Π",
             Sigma="Σ", Phi="Φ", Psi="Ψ", Omega="Ω")
GREEK["lambda"] = GREEK.pop("lambda_")
OPERATORS = dict(cdot="⋅", odot="⊙", times="×", leftarrow="←", rightarrow="→", to="→", approx="≈",
                 le="≤", leq="≤", ge="≥", geq="≥", neq="≠", pm="±", mid="∣", ldots="…", dots="…",
                 cdots="⋯", equiv="≡", propto="∝", In="∈")
OPERATORS["in"] = OPERATORS.pop("In")
IDENTIFIERS = dict(lVert="‖", rVert="‖", Vert="‖", lvert="|", rvert="|", infty="∞", partial="∂", top="⊤",
                   ell="ℓ", nabla="∇")
LARGE = dict(sum="∑", prod="∏")
FUNCTIONS = {"log", "ln", "exp", "max", "min", "sin", "cos", "tan", "tanh", "argmax", "diag", "det", "lim"}
SPACES = {",": "0.167em", ":": "0.222em", ";": "0.278em", "!": "-0.167em", " ": "0.25em",
          "quad": "1em", "qquad": "2em"}


class _TeX:
    """A recursive-descent reader for the LaTeX the chapters use; ValueError on anything else."""

    def __init__(self, source: str):
        self.s, self.i = source, 0

    def _ws(self):
        while self.i < len(self.s) and self.s[self.i].isspace():
            self.i += 1

    def _read_command(self) -> str:
        match = re.match(r"\\([A-Za-z]+|.)", self.s[self.i:])
        if not match:
            raise ValueError("dangling backslash")
        self.i += len(match.group(0))
        return match.group(1)

    def _raw_group(self) -> str:
        self._ws()
        if not self.s.startswith("{", self.i):
            raise ValueError("expected {")
        depth, start = 0, self.i
        while self.i < len(self.s):
            ch = self.s[self.i]
            depth += ch == "{"
            depth -= ch == "}"
            self.i += 1
            if depth == 0:
                return self.s[start + 1:self.i - 1]
        raise ValueError("unbalanced {")

    def sequence(self, stops=()) -> list:
        nodes = []
        while True:
            self._ws()
            if self.i >= len(self.s):
                return nodes
            if self.s.startswith("}", self.i) or any(self._at(stop) for stop in stops):
                return nodes
            nodes.append(self._scripts(*self._atom()))

    def _at(self, literal: str) -> bool:
        """The text continues with ``literal`` (a command name only as a whole word: \\right, not \\rightarrow)."""
        if not self.s.startswith(literal, self.i):
            return False
        end = self.i + len(literal)
        return not (literal[-1].isalpha() and end < len(self.s) and self.s[end].isalpha())

    def _arg(self) -> str:
        self._ws()
        if self.s.startswith("{", self.i):
            self.i += 1
            inner = self.sequence()
            self._expect("}")
            return _row(inner)
        return self._atom()[0]

    def _expect(self, text: str):
        self._ws()
        if not self.s.startswith(text, self.i):
            raise ValueError(f"expected {text!r}")
        self.i += len(text)

    def _delimiter(self) -> str:
        self._ws()
        if self.s.startswith("\\", self.i):
            name = self._read_command()
            return {"{": "{", "}": "}", "|": "‖", "langle": "⟨", "rangle": "⟩", "lvert": "|",
                    "rvert": "|"}.get(name) or ("" if name == "." else _fail(name))
        ch = self.s[self.i]
        self.i += 1
        return "" if ch == "." else ch

    def _scripts(self, base: str, kind: str) -> str:
        sub = sup = None
        while True:
            self._ws()
            if self.s.startswith("_", self.i) and sub is None:
                self.i += 1
                sub = self._arg()
            elif self.s.startswith("^", self.i) and sup is None:
                self.i += 1
                sup = self._arg()
            else:
                break
        under = kind in ("large", "brace", "limit")
        if sub is not None and sup is not None:
            tag = "munderover" if under else "msubsup"
            return f"<{tag}>{base}{sub}{sup}</{tag}>"
        if sub is not None:
            tag = "munder" if under else "msub"
            return f"<{tag}>{base}{sub}</{tag}>"
        if sup is not None:
            tag = "mover" if kind == "brace-over" else "msup"
            return f"<{tag}>{base}{sup}</{tag}>"
        return base

    def _atom(self) -> tuple:
        """(MathML, kind) of the next atom; kind decides how scripts attach."""
        self._ws()
        ch = self.s[self.i]
        if ch == "{":
            self.i += 1
            inner = self.sequence()
            self._expect("}")
            return _row(inner), "normal"
        if ch == "\\":
            return self._command(self._read_command())
        self.i += 1
        if ch.isdigit() or (ch == "." and self.i < len(self.s) and self.s[self.i].isdigit()):
            match = re.match(r"[\d.]*", self.s[self.i:])
            self.i += len(match.group(0))
            return f"<mn>{html.escape(ch + match.group(0))}</mn>", "normal"
        if ch.isascii() and ch.isalpha():
            return f"<mi>{ch}</mi>", "normal"
        if ch == "'":
            return "<mo>′</mo>", "normal"
        if ch in "&^_":
            raise ValueError(f"unexpected {ch}")
        symbol = {"-": "−", "*": "∗"}.get(ch, ch)
        if ch in "()[]|":  # a plain bracket keeps its size (\\left ... \\right stretches)
            return f"<mo stretchy='false'>{html.escape(symbol)}</mo>", "normal"
        if ch.isascii() or symbol in "−…":
            return f"<mo>{html.escape(symbol)}</mo>", "normal"
        return f"<mtext>{html.escape(ch)}</mtext>", "normal"

    def _command(self, name: str) -> tuple:
        if name in ("frac", "dfrac", "tfrac"):
            return f"<mfrac>{self._arg()}{self._arg()}</mfrac>", "normal"
        if name == "sqrt":
            return f"<msqrt>{self._arg()}</msqrt>", "normal"
        if name in ("text", "textrm", "mbox"):
            return f"<mtext>{html.escape(self._raw_group())}</mtext>", "normal"
        if name in ("mathrm", "operatorname", "textit", "mathit", "mathbf", "boldsymbol"):
            variant = {"mathbf": "bold", "boldsymbol": "bold-italic"}.get(name, "italic" if "it" in name else "normal")
            text = self._raw_group()
            return f"<mi mathvariant='{variant}'>{html.escape(text)}</mi>", "normal"
        if name == "left":
            opening = self._delimiter()
            inner = self.sequence(stops=("\\right",))
            self._expect("\\right")
            closing = self._delimiter()
            return _row([f"<mo>{html.escape(opening)}</mo>" if opening else "", *inner,
                         f"<mo>{html.escape(closing)}</mo>" if closing else ""]), "normal"
        if name in ("big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl", "biggr"):
            size = "1.2em" if name.lower().startswith("big") and "gg" not in name else "2em"
            delim = self._delimiter()
            return f"<mo stretchy='true' minsize='{size}'>{html.escape(delim)}</mo>", "normal"
        if name in ("underbrace", "overbrace"):
            inner = self._arg()
            if name == "underbrace":
                return f"<munder>{inner}<mo>⏟</mo></munder>", "brace"
            return f"<mover>{inner}<mo>⏞</mo></mover>", "brace-over"
        if name == "begin":
            return self._environment(self._raw_group()), "normal"
        if name in SPACES:
            return f"<mspace width='{SPACES[name]}'></mspace>", "normal"
        if name in ("{", "}", "|", "%", "#", "&", "$", "_"):
            return f"<mo>{html.escape(name)}</mo>", "normal"
        if name in GREEK:
            return f"<mi>{GREEK[name]}</mi>", "normal"
        if name in IDENTIFIERS:
            return f"<mi>{IDENTIFIERS[name]}</mi>", "normal"
        if name in OPERATORS:
            return f"<mo>{OPERATORS[name]}</mo>", "normal"
        if name in LARGE:
            return f"<mo largeop='true' movablelimits='true'>{LARGE[name]}</mo>", "large"
        if name in FUNCTIONS:
            limit = name in ("max", "min", "lim", "argmax")
            apply = "" if limit else "<mspace width='0.167em'></mspace>"  # a thin space after log, tanh
            return f"<mrow><mi mathvariant='normal'>{name}</mi>{apply}</mrow>", "limit" if limit else "normal"
        return _fail(name)

    def _environment(self, env: str) -> str:
        if env not in ("aligned", "align", "align*", "pmatrix", "bmatrix", "matrix", "cases"):
            _fail(f"begin{{{env}}}")
        rows, row = [], []
        while True:
            cell = self.sequence(stops=("&", "\\\\", "\\end"))
            row.append(_row(cell))
            self._ws()
            if self.s.startswith("&", self.i):
                self.i += 1
            elif self.s.startswith("\\\\", self.i):
                self.i += 2
                rows.append(row)
                row = []
            elif self.s.startswith("\\end", self.i):
                self.i += 4
                self._raw_group()
                if any(c != "<mrow></mrow>" for c in row):
                    rows.append(row)
                break
            else:
                raise ValueError(f"unfinished {env}")
        align = " ".join(["right", "left"] * 8) if env.startswith("align") else "center"
        table = "<mtable columnalign='{}'>{}</mtable>".format(
            align, "".join("<mtr>" + "".join(f"<mtd>{c}</mtd>" for c in r) + "</mtr>" for r in rows))
        if env in ("pmatrix", "bmatrix"):
            left, right = ("(", ")") if env == "pmatrix" else ("[", "]")
            return f"<mrow><mo>{left}</mo>{table}<mo>{right}</mo></mrow>"
        if env == "cases":
            return f"<mrow><mo>{{</mo>{table}</mrow>"
        return table


def _fail(name: str):
    raise ValueError(f"unsupported LaTeX: \\{name}")


def _row(nodes) -> str:
    return "<mrow>" + "".join(nodes) + "</mrow>"


def latex_to_mathml(tex: str, display: bool = True) -> str:
    """MathML for the LaTeX subset the chapters use; ValueError on anything else."""
    reader = _TeX(tex)
    nodes = reader.sequence()
    reader._ws()
    if reader.i != len(tex):
        raise ValueError(f"unexpected {tex[reader.i:reader.i + 10]!r}")
    mode = " display='block'" if display else ""
    return f"<math{mode}>{_row(nodes)}</math>"


def split_display(tex: str) -> list:
    """A display formula cut at its top-level \\qquad into lines (MathML does not wrap)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(tex):
        depth += tex[i] == "{"
        depth -= tex[i] == "}"
        if depth == 0 and tex.startswith("\\qquad", i):
            parts.append(tex[start:i])
            i += len("\\qquad")
            start = i
            continue
        i += 1
    parts.append(tex[start:])
    return [part.strip() for part in parts if part.strip()]


def formula_html(tex: str, display: bool = True) -> str:
    """A formula as MathML in its own scroll box (a display formula one line per top-level
    \\qquad part); the LaTeX source as code if it cannot be read."""
    try:
        lines = split_display(tex) if display else [tex]
        body = "".join(latex_to_mathml(line, display) for line in lines)
    except (ValueError, IndexError):
        body = f"<code>{html.escape(tex)}</code>"
    tag = "div" if display else "span"
    return f"<{tag} class='formula'>{body}</{tag}>"


def inline(text: str) -> str:
    """Box and note text (`code`, **bold**, $math$) -> HTML, escaped."""
    parts = re.split(r"(?<!\\)\$([^$\n]+)\$", str(text))
    out = []
    for n, part in enumerate(parts):
        out.append(formula_html(part, display=False) if n % 2 else export._text(part))
    return "".join(out)


# ---------------------------------------------------------------- page (CSS, embedded font)


CSS = export.CSS + """
body{font-family:'%s',-apple-system,'Apple SD Gothic Neo','Malgun Gothic','NanumGothic','Noto Sans CJK KR',sans-serif;
overflow-wrap:break-word}
img{max-width:100%%;height:auto;display:block;margin:.4em auto}
pre{white-space:pre-wrap;overflow-wrap:anywhere}
.formula{display:block;overflow-x:auto;max-width:100%%;padding:.2em 0}
span.formula{display:inline-block;vertical-align:middle}
.tbl{overflow-x:auto;max-width:100%%}.tbl td{overflow-wrap:anywhere}
a{overflow-wrap:anywhere}
nav.toc a{display:inline-block;margin:.1em .4em .1em 0}
.unit{margin:.5em 0 .2em 0}.quote{background:#f6f8fa;border-left:4px solid #8c959f;padding:.3em .6em;display:block}
.bullet .quote:before{content:'• '}
.ann{margin:.15em 0 .9em .6em;font-size:.95em}
.mark{display:inline-block;font-weight:bold;border-radius:.6em;padding:0 .5em;margin-right:.3em;white-space:nowrap}
.mark.ok{background:#dafbe1;color:#116329}.mark.more{background:#ddf4ff;color:#0a3069}
.mark.fix{background:#fff1e5;color:#953800;border:1px solid #fb8f44}
.exam{border-left:4px solid #1a7f37;background:#f6fff8;padding:.3em .6em;margin:.3em 0}
.missing-figure{border:2px dashed #8c959f;padding:.6em;margin:.5em 0;background:#fafbfc}
.links{color:#57606a;font-size:.9em}
.chapter{margin-bottom:2em}
h3{margin-bottom:.2em}
@page{size:A4;margin:14mm 13mm}
@media print{.chapter{break-before:page}.chapter:first-of-type{break-before:auto}
.unit,.ann,.exam,figure,tr{break-inside:avoid}h2,h3{break-after:avoid}
.formula{overflow:visible}math{font-size:90%%}nav.toc{display:none}}
""" % FONT_FAMILY


def font_path() -> pathlib.Path | None:
    """NanumGothic as shipped by koreanize-matplotlib (found without importing it), or None."""
    spec = importlib.util.find_spec("koreanize_matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = pathlib.Path(folder) / "fonts" / "NanumGothic.ttf"
        if candidate.exists():
            return candidate
    return None


def font_face(text: str) -> str:
    """@font-face with NanumGothic cut down to the characters of ``text`` (WOFF, base64); "" when
    the font or fontTools is not there (the page then uses the system's Korean font)."""
    path = font_path()
    if path is None:
        return ""
    return _font_face(path, frozenset(text) | {chr(c) for c in range(0x20, 0x7F)})


@functools.lru_cache(maxsize=8)
def _font_face(path: pathlib.Path, chars: frozenset) -> str:
    try:
        from fontTools import subset
        from fontTools.ttLib import TTFont
    except ImportError:
        return ""
    options = subset.Options()
    options.flavor = "woff"
    options.drop_tables += ["TSI0", "TSI1", "TSI2", "TSI3", "TSI5"]  # VTT hinting sources: not for browsers
    font = TTFont(str(path))
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    buffer = io.BytesIO()
    font.flavor = "woff"
    font.save(buffer)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return (f"@font-face{{font-family:'{FONT_FAMILY}';font-style:normal;font-weight:400;"
            f"src:url(data:font/woff;base64,{data}) format('woff')}}")


def page(title: str, body: str) -> str:
    """A whole self-contained HTML document (the font subset covers exactly its text)."""
    face = font_face(title + re.sub(r"<[^>]+>", "", body))
    return ("<!DOCTYPE html><html lang='ko'><head><meta charset='utf-8'>"
            "<meta name='viewport' content='width=device-width, initial-scale=1'>"
            f"<title>{html.escape(title)}</title><style>{face}{CSS}</style></head><body>{body}</body></html>")


# ---------------------------------------------------------------- annotated notes


def chapter_prefix(folder: pathlib.Path) -> str:
    """How a file in ``folder`` reaches chapters/ (relative; a file: URI across Windows drives)."""
    chapters_dir = ROOT / "chapters"
    try:
        return os.path.relpath(chapters_dir, folder).replace(os.sep, "/") + "/"
    except ValueError:
        return chapters_dir.as_uri() + "/"


def cell_link(ref: str, prefix: str) -> str:
    chapter, cell_id = _ref(ref)
    stem, _title = CHAPTERS[chapter]
    heading = heading_of(chapter, cell_id)
    text = f"{chapter}장" + (f" › {heading}" if heading else "")
    return f"<a href='{html.escape(prefix + stem)}.ipynb#cell-id={html.escape(cell_id)}'>{html.escape(text)}</a>"


def _annotation(entry: dict, prefix: str) -> str:
    mark = entry["mark"]
    claims = " · ".join(f"{c} {html.escape(CLAIMS[c][1])}" for c in entry.get("claims", []) if c in CLAIMS)
    parts = [f"<div class='ann'><span class='mark {mark}'>{MARKS[mark]}</span>"
             f"<span class='meta'>{claims}</span>"]
    if entry.get("box"):
        chapter, cell_id = _ref(entry["box"])
        answer = exam_answer(chapter, cell_id)
        if answer:
            parts.append(f"<div class='exam'><b>시험 답안으로는:</b> {inline(answer)}"
                         f"<div class='meta'>{chapter}장의 📝 노트 점검 상자에서</div></div>")
    links = " · ".join(cell_link(ref, prefix) for ref in entry.get("links", []))
    parts.append(f"<div class='links'>다시 볼 곳: {links}</div></div>")
    return "".join(parts)


def _missing_figure(line: str, data: dict) -> str:
    alt, src = IMAGE.fullmatch(line).groups()
    name = pathlib.PurePosixPath(src).name
    out = [f"<div class='missing-figure'>🖼 <b>그림 {html.escape(name)}</b> (대체 텍스트: “{html.escape(alt)}”) — "
           f"노트에 있던 그림 파일은 이 저장소에 없습니다. 노트 원문: <code>{html.escape(line)}</code>"]
    ref = data.get("note_figures", {}).get(name)
    png = figure_png(*_ref(ref)) if ref else None
    if png:
        chapter, _ = _ref(ref)
        out.append(f"<figure><img alt='{html.escape(name)}를 {chapter}장에서 다시 그린 그림' "
                   f"src='data:image/png;base64,{png}'><figcaption class='meta'>{chapter}장에서 노트의 설명대로 "
                   "다시 그린 그림 (원래 그림이 아닙니다)</figcaption></figure>")
    out.append("</div>")
    return "".join(out)


def render_notes(prefix: str, data: dict | None = None, text: str | None = None) -> str:
    """The annotated notes as the inside of <body>."""
    data = load_data() if data is None else data
    text = NOTES.read_text(encoding="utf-8") if text is None else text
    index = annotation_index(data)
    counts = {mark: 0 for mark in MARKS}
    for entry in data["notes"]:
        counts[entry["mark"]] += len(entry["units"])
    legend = "".join(f"<li><span class='mark {m}'>{MARKS[m]}</span> {counts[m]}개 — {MARK_HELP[m]}</li>"
                     for m in MARKS)
    body = ["<h1>노트 다시 보기</h1>",
            f"<p class='meta'>{scheduler.today().isoformat()} · 내 노트(notes/study-notes.md)의 모든 문장을 쓴 그대로, "
            f"문장마다 장의 실험과 📝 노트 점검 상자로 표시했습니다. 장별 요약은 "
            f"<a href='{SUMMARY_FILE}'>핵심 정리</a>.</p><ul>{legend}</ul><hr>"]
    for block in parse_notes(text):
        if block.kind == "heading":
            body.append(f"<h3>{inline(block.body)}</h3>")
        elif block.kind == "rule":
            body.append("<hr>")
        for unit in block.units:
            if block.kind == "image":
                shown = _missing_figure(unit, data)
            elif block.kind == "code":
                shown = f"<pre class='quote'>{html.escape(block.body)}</pre>"
            else:
                shown = f"<span class='quote'>{inline(unit)}</span>"
            body.append(f"<div class='unit {block.kind}'>{shown}</div>")
            found = index.get(unit)
            if found is None:
                body.append("<div class='ann'><span class='mark'>?</span> 아직 표시가 없는 문장입니다.</div>")
            elif found[1]["units"][-1] == unit:  # an entry's annotation follows its last unit
                body.append(_annotation(found[1], prefix))
    return "".join(body)


# ---------------------------------------------------------------- 핵심 정리


def _quiz_items() -> list:
    try:
        from lib.course import quiz

        return quiz.load_items()
    except Exception:  # a broken bank must not stop the export
        return []


def most_missed(items, data, chapter: str, limit: int = MISSED_SHOWN) -> list:
    """[(item, times wrong, still wrong)] of the chapter's items with a wrong answer: still wrong
    first, then by how often, then course order; at most ``limit``."""
    record = scheduler.quiz_record(data)
    rows = []
    for order, item in enumerate(items):
        if item.chapter != chapter:
            continue
        events = scheduler.events_of(record.get(item.id))
        wrong = sum(1 for _day, event in events if not event["correct"])
        if wrong:
            rows.append((not events[-1][1]["correct"], wrong, -order, item))
    rows.sort(key=lambda row: (row[0], row[1], row[2]), reverse=True)
    return [(item, wrong, still) for still, wrong, _o, item in rows[:limit]]


def _missed_html(chapter: str, items, term_items, data, exercises: dict) -> str:
    quiz_rows = most_missed(items, data, chapter)
    term_rows = most_missed(term_items, data, chapter)
    mistakes = [(e, rows) for e, rows in export.check_mistakes(data) if exercises.get(e) == chapter]
    if not (quiz_rows or term_rows or mistakes):
        return "<p>이 장에서 틀린 기록이 없습니다. 깨끗합니다.</p>"
    out = []
    for item, wrong, still in quiz_rows:
        state = "아직 틀린 상태" if still else "그 뒤에 맞힘"
        out.append(f"<div class='item{'' if still else ' fixed'}'><div class='meta'>{item.id} · {item.claim} · "
                   f"틀린 횟수 {wrong} · {state}</div><div><b>{export._text(item.question)}</b></div>"
                   f"<div class='key'>정답: {export._text(item.choices[item.answer])}</div></div>")
    if term_rows:
        cards = {card.id: card for card in terms.CARDS}
        names = []
        for item, wrong, _still in term_rows:
            card = cards.get(getattr(item, "card", ""))
            if card and card.id not in names:
                names.append(card.id)
                out.append(f"<div class='item'><div class='meta'>용어 카드 · 틀린 횟수 {wrong}</div>"
                           f"{html.escape(card.ko)} ↔ {html.escape(card.en)}</div>")
    for exercise, rows in mistakes:
        listed = "".join(f"<li>{html.escape(name)} × {count}</li>" for name, count, _last in rows)
        out.append(f"<div><code>{html.escape(exercise)}</code>에서 check가 알려 준 실수<ul>{listed}</ul></div>")
    return "".join(out)


def _chapter_refs(entry: dict) -> set:
    refs = list(entry.get("links", [])) + ([entry["box"]] if entry.get("box") else [])
    return {_ref(ref)[0] for ref in refs}


def render_summary(prefix: str, data: dict | None = None, progress_data: dict | None = None) -> str:
    """핵심 정리 (one section per chapter 00-10) as the inside of <body>."""
    data = load_data() if data is None else data
    if progress_data is None:
        try:
            progress_data = progress.load_progress()
        except Exception:  # an unreadable record: show the pages without it
            progress_data = progress.empty_progress()
    from lib.course.checks import EXERCISES

    exercises = {e.id: e.chapter for e in EXERCISES.values()}
    items, term_items = _quiz_items(), terms.items()
    toc = " ".join(f"<a href='#ch-{ch}'>{ch} {html.escape(CHAPTERS[ch][1])}</a>" for ch in SUMMARY_CHAPTERS)
    body = ["<h1>핵심 정리</h1>",
            f"<p class='meta'>{scheduler.today().isoformat()} · 장마다 한 쪽: 노트의 문장, 주장, 공식, 시험 답안, 그림 한 장, "
            f"용어, 내가 자주 틀린 것. 노트 전체는 <a href='{NOTES_FILE}'>노트 다시 보기</a>.</p>",
            f"<nav class='toc'>{toc}</nav>"]
    for ch in SUMMARY_CHAPTERS:
        stem, title = CHAPTERS[ch]
        config = data.get("chapters", {}).get(ch, {})
        part = [f"<section class='chapter' id='ch-{ch}'><h2>{ch} {html.escape(title)}</h2>",
                f"<p class='links'><a href='{html.escape(prefix + stem)}.ipynb'>{ch}장 노트북 열기</a></p>"]
        notes = [(unit, entry) for entry in data["notes"] if ch in _chapter_refs(entry) for unit in entry["units"]]
        if notes:
            part.append("<h3>노트의 문장</h3>")
            for unit, entry in notes:
                shown = f"🖼 {html.escape(unit)}" if IMAGE.fullmatch(unit) else inline(unit)
                part.append(f"<div class='unit'><span class='mark {entry['mark']}'>{MARKS[entry['mark']]}</span> "
                            f"{shown}</div>")
        claims = [(c, text) for c, (chs, text) in CLAIMS.items() if ch in chs.split(",")]
        if claims:
            part.append("<h3>주장</h3><ul>" + "".join(f"<li><b>{c}</b> {html.escape(t)}</li>" for c, t in claims)
                        + "</ul>")
        formulas = config.get("formulas", [])
        if formulas:
            part.append("<h3>공식</h3>" + "".join(formula_html(tex.replace("&", "")) for tex in formulas))
        answers = [box for box in boxes(ch) if box[3]]
        if answers:
            part.append("<h3>시험 답안</h3>")
            for cell_id, kind, heading, answer in answers:
                part.append(f"<div class='exam'><div class='meta'>📝 {kind} · "
                            f"{cell_link(f'{ch}:{cell_id}', prefix)}</div>{inline(answer)}</div>")
        png = figure_png(ch, config["figure"]) if config.get("figure") else None
        if png:
            caption = heading_of(ch, config["figure"])
            part.append(f"<h3>그림</h3><figure><img alt='{html.escape(caption)}' src='data:image/png;base64,{png}'>"
                        f"<figcaption class='meta'>{html.escape(caption)}</figcaption></figure>")
        cards = [card for card in terms.CARDS if card.chapter == ch]
        if cards:
            rows = "".join(f"<tr><td>{html.escape(c.ko)}</td><td>{html.escape(c.en)}</td>"
                           f"<td>{export._text(c.api) if c.api else '—'}</td></tr>" for c in cards)
            part.append("<h3>용어</h3><div class='tbl'><table><tr><th>한국어</th><th>English</th><th>코드</th></tr>"
                        f"{rows}</table></div>")
        part.append("<h3>내가 자주 틀린 것</h3>" + _missed_html(ch, items, term_items, progress_data, exercises))
        part.append("</section>")
        body.append("".join(part))
    return "".join(body)


# ---------------------------------------------------------------- checks (tests/test_study_pack.py)


def problems(data: dict | None = None, text: str | None = None) -> list:
    """Everything wrong between the notes, the data file and the notebooks, as sentences ([] = fine):
    a note unit without annotation, a data unit not in the notes, a unit named twice, an unknown
    mark or claim, a link or box to a cell id missing from chapters/ or solutions/, a box without a
    **시험 답안으로는:** line, a 📝 점검 mark whose box is a 보충 (or the reverse), a 📝 box naming a
    claim that no annotation uses, a key figure without a stored PNG, a formula that is not in the
    chapter's markdown or not readable."""
    data = load_data() if data is None else data
    units = note_units(text)
    out = []
    named = [unit for entry in data["notes"] for unit in entry["units"]]
    out += [f"note unit without annotation: {u!r}" for u in units if u not in named]
    out += [f"data names a unit that is not in the notes: {u!r}" for u in named if u not in units]
    out += [f"unit named twice: {u!r}" for u in sorted({u for u in named if named.count(u) > 1})]
    used = {_ref(ref) for entry in data["notes"] for ref in entry.get("links", []) + [entry.get("box", "")]}
    for entry in data["notes"]:
        label = entry["units"][0][:30]
        if entry.get("mark") not in MARKS:
            out.append(f"{label}: unknown mark {entry.get('mark')!r}")
        out += [f"{label}: unknown claim {c}" for c in entry.get("claims", []) if c not in CLAIMS]
        for ref in entry.get("links", []) + ([entry["box"]] if entry.get("box") else []):
            out += _ref_problems(ref, label)
        if entry.get("box"):
            chapter, cell_id = _ref(entry["box"])
            source = next((src for cid, _k, src, _o in cells(chapter) if cid == cell_id), "")
            if not exam_answer(chapter, cell_id):
                out.append(f"{label}: box {entry['box']} has no **시험 답안으로는:** line")
            elif (entry["mark"] == "fix") != (box_kind(source) == "점검"):
                out.append(f"{label}: mark {entry['mark']} but box {entry['box']} is a {box_kind(source)}")
        elif entry.get("mark") != "ok":
            out.append(f"{label}: mark {entry.get('mark')} needs the box that says so")
    for chapter in SUMMARY_CHAPTERS:
        for cid, kind, source, _o in cells(chapter):
            if kind == "markdown" and exam_answer(chapter, cid) and "📝 노트 점검" in source:
                if box_claims(source) and (chapter, cid) not in used:
                    named = ", ".join(box_claims(source))
                    out.append(f"box {chapter}:{cid} ({named}) is not linked from any annotation")
    for ref in data.get("note_figures", {}).values():
        out += _ref_problems(ref, "note figure")
        if not figure_png(*_ref(ref)):
            out.append(f"note figure {ref} has no stored PNG")
    for chapter, config in data.get("chapters", {}).items():
        if chapter not in SUMMARY_CHAPTERS:
            out.append(f"chapters: unknown chapter {chapter}")
            continue
        if not figure_png(chapter, config.get("figure", "")):
            out.append(f"chapter {chapter}: figure {config.get('figure')!r} has no stored PNG")
        markdown = chapter_markdown(chapter)
        for tex in config.get("formulas", []):
            if tex not in markdown:
                out.append(f"chapter {chapter}: formula not in the chapter: {tex[:40]!r}")
            try:
                latex_to_mathml(tex.replace("&", ""))
            except (ValueError, IndexError) as error:
                out.append(f"chapter {chapter}: formula not readable ({error}): {tex[:40]!r}")
    return out


def _ref_problems(ref: str, label: str) -> list:
    chapter, cell_id = _ref(ref)
    if chapter not in CHAPTERS:
        return [f"{label}: unknown chapter in {ref!r}"]
    out = []
    if cell_id not in cell_ids(chapter, ROOT / "chapters"):
        out.append(f"{label}: {ref} is not a cell of chapters/{CHAPTERS[chapter][0]}.ipynb")
    if cell_id not in cell_ids(chapter):
        out.append(f"{label}: {ref} is not a cell of solutions/{CHAPTERS[chapter][0]}.ipynb")
    return out


# ---------------------------------------------------------------- writing


def write_notes(folder: pathlib.Path | None = None) -> pathlib.Path:
    folder = export.exports_dir() if folder is None else pathlib.Path(folder)
    path = folder / NOTES_FILE
    path.write_text(page("노트 다시 보기", render_notes(chapter_prefix(folder))), encoding="utf-8")
    return path


def write_summary(folder: pathlib.Path | None = None, progress_data: dict | None = None) -> pathlib.Path:
    folder = export.exports_dir() if folder is None else pathlib.Path(folder)
    path = folder / SUMMARY_FILE
    body = render_summary(chapter_prefix(folder), progress_data=progress_data)
    path.write_text(page("핵심 정리", body), encoding="utf-8")
    return path


def write_all(progress_data: dict | None = None) -> list[pathlib.Path]:
    """Write both files into ``export.exports_dir()`` and return their paths: [annotated notes,
    핵심 정리]. The progress file is read now (``progress_data``: a record to use instead, e.g.
    chapter 11's example learner)."""
    folder = export.exports_dir()
    return [write_notes(folder), write_summary(folder, progress_data)]
