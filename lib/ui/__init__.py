"""Presentation: plots, the Hangul font, ipywidgets explorers. Sits on top of the logic it shows."""
