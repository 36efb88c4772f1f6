"""Facts about torch itself that the notes' claims rest on, checked on the installed torch.

These test torch, not lib: they are here so a torch upgrade that changed one of them would show, and
so they don't read as coverage of lib's reference code (which tests/test_rnn*.py and
tests/test_transformer_*.py compare against torch's modules).
"""

import pytest
import torch
import torch.nn as nn

from lib import rnn
from lib.utils import count_parameters


@pytest.mark.parametrize("input_size, hidden", [(64, 64), (10, 32)])
def test_parameter_counts_are_4x_and_3x_an_rnn(input_size, hidden):
    counts = {kind: count_parameters(layer(input_size, hidden)) for kind, layer in rnn.RECURRENT_LAYERS.items()}
    assert counts["rnn"] == hidden * (input_size + hidden) + 2 * hidden
    assert counts["lstm"] == 4 * counts["rnn"]
    assert counts["gru"] == 3 * counts["rnn"]


def test_lstm_keeps_two_state_vectors_gru_one():
    x = torch.randn(2, 5, 3)
    _, lstm_state = nn.LSTM(3, 4, batch_first=True)(x)
    _, gru_state = nn.GRU(3, 4, batch_first=True)(x)
    assert isinstance(lstm_state, tuple) and len(lstm_state) == 2
    assert isinstance(gru_state, torch.Tensor) and gru_state.shape == (1, 2, 4)
