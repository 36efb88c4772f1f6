"""ipywidgets explorers, one module per topic (translation, logits, positional encoding, attention).

Each explorer is a function returning a widget; the notebook cell that shows it carries
the cell tag ``nbval-ignore-output``. Keep the computation in a plain function next to it so tests can
call it without a browser.
"""
