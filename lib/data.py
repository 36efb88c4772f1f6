"""Algorithmic toy tasks, generated on the fly (no downloads).

All generators take a torch.Generator so every notebook gets the same data on every CPU.
Token ids start at FIRST_SYMBOL so that 0..3 stay free for PAD, BOS, EOS, UNK.
"""

import torch

from lib.tokens import BOS_ID, EOS_ID, PAD_ID, UNK_ID  # noqa: F401 (the tasks' special ids)

FIRST_SYMBOL = 4


def random_symbols(n, length, num_symbols, generator=None):
    """(n, length) ids drawn uniformly from FIRST_SYMBOL .. FIRST_SYMBOL + num_symbols - 1."""
    return torch.randint(FIRST_SYMBOL, FIRST_SYMBOL + num_symbols, (n, length), generator=generator)


def recall_first_task(n, length, num_symbols=8, generator=None):
    """Remember the first token through `length` steps: tokens (n, length), target (n,) in 0..num_symbols-1."""
    tokens = random_symbols(n, length, num_symbols, generator)
    return tokens, tokens[:, 0] - FIRST_SYMBOL


def delayed_copy_task(n, length, delay=1, num_symbols=8, generator=None):
    """At every step output the token seen `delay` steps earlier (class 0..num_symbols-1),
    or the class `num_symbols` ("nothing yet") for the first `delay` steps.

    tokens (n, length), targets (n, length). Needs only short memory, so it works at any length.
    """
    tokens = random_symbols(n, length, num_symbols, generator)
    targets = torch.full((n, length), num_symbols)
    targets[:, delay:] = tokens[:, :-delay] - FIRST_SYMBOL
    return tokens, targets


def copy_task(n, length, num_symbols=8, generator=None):
    """Source (n, length) and target = BOS + source + EOS, (n, length + 2)."""
    src = random_symbols(n, length, num_symbols, generator)
    bos = torch.full((n, 1), BOS_ID)
    eos = torch.full((n, 1), EOS_ID)
    return src, torch.cat([bos, src, eos], dim=1)


def reverse_task(n, length, num_symbols=8, generator=None):
    """Source (n, length) and target = BOS + reversed source + EOS, (n, length + 2)."""
    src = random_symbols(n, length, num_symbols, generator)
    bos = torch.full((n, 1), BOS_ID)
    eos = torch.full((n, 1), EOS_ID)
    return src, torch.cat([bos, src.flip(1), eos], dim=1)
