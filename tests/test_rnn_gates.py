"""lib.rnn.lstm_cell / gru_cell against nn.LSTMCell / nn.GRUCell and, unrolled, against nn.LSTM / nn.GRU."""

import pytest
import torch
import torch.nn as nn

from lib import rnn


def _weights_of(module, suffix=""):
    return tuple(getattr(module, name + suffix).detach() for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"))


def _widen(module, scale=3.0):
    """Spread the weights so every gate is far from 0.5 (a wrong gate order then shows)."""
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(scale)
    return module


@pytest.mark.parametrize("batch, d_in, hidden", [(3, 5, 4), (1, 2, 7), (4, 6, 6)])
def test_lstm_cell_matches_nn_lstmcell(batch, d_in, hidden):
    torch.manual_seed(batch * 10 + hidden)
    cell = _widen(nn.LSTMCell(d_in, hidden))
    x, h, c = torch.randn(batch, d_in) * 2, torch.randn(batch, hidden), torch.randn(batch, hidden) * 2
    h_next, c_next = rnn.lstm_cell(x, (h, c), *_weights_of(cell))
    expected_h, expected_c = cell(x, (h, c))
    torch.testing.assert_close(h_next, expected_h)
    torch.testing.assert_close(c_next, expected_c)


@pytest.mark.parametrize("batch, d_in, hidden", [(3, 5, 4), (1, 2, 7), (4, 6, 6)])
def test_gru_cell_matches_nn_grucell(batch, d_in, hidden):
    torch.manual_seed(batch * 10 + hidden)
    cell = _widen(nn.GRUCell(d_in, hidden))
    x, h = torch.randn(batch, d_in) * 2, torch.randn(batch, hidden)
    torch.testing.assert_close(rnn.gru_cell(x, h, *_weights_of(cell)), cell(x, h))


@pytest.mark.parametrize("length", [1, 6, 20])
def test_lstm_cell_unrolled_matches_nn_lstm(length):
    torch.manual_seed(length)
    layer = _widen(nn.LSTM(3, 5, batch_first=True), 2.0)
    x = torch.randn(2, length, 3)
    h0, c0 = torch.randn(2, 5), torch.randn(2, 5)
    state, outputs = (h0, c0), []
    for t in range(length):
        state = rnn.lstm_cell(x[:, t], state, *_weights_of(layer, "_l0"))
        outputs.append(state[0])
    expected, (h_n, c_n) = layer(x, (h0.unsqueeze(0), c0.unsqueeze(0)))
    torch.testing.assert_close(torch.stack(outputs, dim=1), expected)
    torch.testing.assert_close(state[0], h_n[0])
    torch.testing.assert_close(state[1], c_n[0])


@pytest.mark.parametrize("length", [1, 6, 20])
def test_gru_cell_unrolled_matches_nn_gru(length):
    torch.manual_seed(length)
    layer = _widen(nn.GRU(3, 5, batch_first=True), 2.0)
    x, h = torch.randn(2, length, 3), torch.randn(2, 5)
    h0, outputs = h, []
    for t in range(length):
        h = rnn.gru_cell(x[:, t], h, *_weights_of(layer, "_l0"))
        outputs.append(h)
    expected, h_n = layer(x, h0.unsqueeze(0))
    torch.testing.assert_close(torch.stack(outputs, dim=1), expected)
    torch.testing.assert_close(h, h_n[0])


def test_cell_gradients_match_torch():
    torch.manual_seed(0)
    for module, cell_fn, make_state in [
        (nn.LSTMCell(3, 4), rnn.lstm_cell, lambda: (torch.randn(2, 4), torch.randn(2, 4))),
        (nn.GRUCell(3, 4), rnn.gru_cell, lambda: torch.randn(2, 4)),
    ]:
        x = torch.randn(2, 3)
        state = make_state()
        weights = [w.clone().requires_grad_(True) for w in _weights_of(module)]
        out = cell_fn(x, state, *weights)
        out = out[0] if isinstance(out, tuple) else out
        out.pow(2).sum().backward()
        theirs = module(x, state)
        theirs = theirs[0] if isinstance(theirs, tuple) else theirs
        theirs.pow(2).sum().backward()
        for w, name in zip(weights, ("weight_ih", "weight_hh", "bias_ih", "bias_hh")):
            torch.testing.assert_close(w.grad, getattr(module, name).grad)


def test_gate_order_matters():
    """Reading torch's stacked gates in another order gives a different answer (so the tests above bite)."""
    torch.manual_seed(1)
    cell = _widen(nn.LSTMCell(3, 4))
    w_ih, w_hh, b_ih, b_hh = _weights_of(cell)
    x, state = torch.randn(2, 3), (torch.randn(2, 4), torch.randn(2, 4))
    swap = torch.cat([torch.arange(4, 8), torch.arange(0, 4), torch.arange(8, 16)])  # f and i exchanged
    h_swapped, _ = rnn.lstm_cell(x, state, w_ih[swap], w_hh[swap], b_ih[swap], b_hh[swap])
    assert not torch.allclose(h_swapped, cell(x, state)[0], atol=1e-3)


@pytest.mark.parametrize("kind", ["lstm", "gru"])
def test_sequence_model_gated_kinds(kind):
    torch.manual_seed(3)
    model = rnn.SequenceModel(vocab_size=12, num_classes=5, hidden_size=8, kind=kind)
    assert isinstance(model.recurrent, rnn.RECURRENT_LAYERS[kind])
    assert model(torch.randint(0, 12, (3, 7))).shape == (3, 5)
