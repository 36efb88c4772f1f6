"""Small shared helpers: seeding and stable printing."""

import random

import numpy as np
import torch

DEFAULT_SEED = 0


def set_seed(seed: int = DEFAULT_SEED) -> torch.Generator:
    """Seed python, numpy and torch; return a torch.Generator seeded the same way.

    Every notebook calls this once at the top (and before each experiment that trains),
    so printed numbers are the same on every run. It only seeds: the one-thread setting that makes
    float sums independent of the core count is ``lib.start.single_thread`` (part of ``start_chapter``).
    """
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    return torch.Generator().manual_seed(seed)


def rounded(x, decimals: int = 4):
    """A tensor/array/float rounded for printing, with -0.0 shown as 0.0.

    Printed values are rounded to what is stable across CPUs (spec section 5).
    """
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().double()
        return (torch.round(x * 10**decimals) / 10**decimals + 0.0).tolist()
    if isinstance(x, np.ndarray):
        return (np.round(x.astype(np.float64), decimals) + 0.0).tolist()
    return round(float(x), decimals) + 0.0


def count_parameters(module: torch.nn.Module) -> int:
    """Number of trainable parameters of a module."""
    return sum(p.numel() for p in module.parameters() if p.requires_grad)
