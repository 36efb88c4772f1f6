"""Author a notebook as a plain script, then turn it into solutions/<name>.ipynb.

    python tools/notebook_from_script.py draft.py solutions/01_rnn.ipynb

Cells are separated by marker lines:

    # %% [markdown]
    Markdown text, written as is (a leading "# " on every line is also accepted and removed).
    # %%
    code

A maintainer tool for writing a new chapter quickly; once the notebook exists, solutions/ is the
source of truth (edit it in JupyterLab, then run tools/run_solutions.py).
"""

import sys

import nbformat


def parse(text: str):
    cells, kind, lines = [], None, []

    def flush():
        if kind is None:
            return
        body = "\n".join(lines).strip("\n")
        if kind == "markdown":
            content = [l for l in body.split("\n") if l.strip()]
            if content and all(l.startswith("# ") or l == "#" for l in content):
                body = "\n".join(l[2:] if l.startswith("# ") else l[1:] for l in body.split("\n"))
            cells.append(nbformat.v4.new_markdown_cell(body))
        elif body.strip():
            cells.append(nbformat.v4.new_code_cell(body))

    for line in text.split("\n"):
        if line.startswith("# %%"):
            flush()
            kind, lines = ("markdown" if "[markdown]" in line else "code"), []
        else:
            lines.append(line)
    flush()
    return cells


def main(argv=None) -> int:
    source, target = argv if argv is not None else sys.argv[1:]
    nb = nbformat.v4.new_notebook()
    nb.cells = parse(open(source, encoding="utf-8").read())
    for i, cell in enumerate(nb.cells):
        cell.id = f"cell-{i:03d}"  # stable ids: regenerating gives the same file
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    nbformat.write(nb, target)
    print(f"wrote {target} ({len(nb.cells)} cells)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
