"""Generated blocks inside README.md: the text between ``<!-- NAME:BEGIN -->`` and ``<!-- NAME:END -->``.

Tools that print figures the README quotes (benchmark.py, notes_map.py, bank_figures.py) write them with
``write``; tests compare ``read`` with what the tool would write now, so a quoted figure cannot go stale.
"""

from __future__ import annotations

import pathlib

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def markers(name: str) -> tuple[str, str]:
    return f"<!-- {name}:BEGIN -->", f"<!-- {name}:END -->"


def read(name: str, text: str | None = None) -> str | None:
    """The block's text (without the marker lines); None when the README has no such block."""
    text = README.read_text(encoding="utf-8") if text is None else text
    begin, end = markers(name)
    if begin not in text or end not in text:
        return None
    return text.split(begin, 1)[1].split(end, 1)[0].removeprefix("\n")


def write(name: str, block: str, placeholder: str | None = None) -> None:
    """Replace the block's text by ``block`` (the first time: in place of a ``placeholder`` line)."""
    text = README.read_text(encoding="utf-8")
    begin, end = markers(name)
    if (begin not in text or end not in text) and placeholder and placeholder in text:
        text = text.replace(placeholder, f"{begin}\n{end}", 1)
    if begin not in text or end not in text:
        raise SystemExit(f"README.md has no {begin} ... {end} block" + (f" nor {placeholder}" if placeholder else ""))
    head, rest = text.split(begin, 1)
    tail = rest.split(end, 1)[1]
    README.write_text(f"{head}{begin}\n{block}{end}{tail}", encoding="utf-8")
    print(f"{name} written to {README.name}")
