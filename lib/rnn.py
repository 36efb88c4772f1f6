"""The RNN family, one time step at a time (chapters 01-02).

Weights use torch's layout so every cell can be checked against nn.RNNCell / nn.LSTMCell /
nn.GRUCell: weight_ih (G*H, D), weight_hh (G*H, H), gates stacked in torch's order
(LSTM: input, forget, cell candidate g, output; GRU: reset r, update z, candidate n).
"""

import torch
import torch.nn as nn


def rnn_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    """h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh).

    x: (B, D), h: (B, H), weight_ih: (H, D), weight_hh: (H, H), biases: (H,) -> h' (B, H)
    """
    return torch.tanh(x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh)


def rnn_layer(x, h0, weight_ih, weight_hh, bias_ih, bias_hh):
    """Apply the same rnn_cell (same parameters) at every time step.

    x: (B, T, D), h0: (B, H) -> outputs (B, T, H) (the hidden state at every step), h_last (B, H)
    """
    h = h0
    outputs = []
    for t in range(x.size(1)):
        h = rnn_cell(x[:, t], h, weight_ih, weight_hh, bias_ih, bias_hh)
        outputs.append(h)
    return torch.stack(outputs, dim=1), h


def lstm_cell(x, state, weight_ih, weight_hh, bias_ih, bias_hh):
    """One LSTM step, gates in torch's order i, f, g, o.

    x: (B, D), state: (h (B, H), c (B, H)), weight_ih: (4H, D), weight_hh: (4H, H), biases: (4H,)
    -> (h', c'), with c' = f * c + i * g and h' = o * tanh(c')
    """
    h, c = state
    gates = x @ weight_ih.T + bias_ih + h @ weight_hh.T + bias_hh
    i, f, g, o = gates.chunk(4, dim=-1)
    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
    c_next = f * c + i * g
    h_next = o * torch.tanh(c_next)
    return h_next, c_next


def gru_cell(x, h, weight_ih, weight_hh, bias_ih, bias_hh):
    """One GRU step, gates in torch's order r, z, n.

    x: (B, D), h: (B, H), weight_ih: (3H, D), weight_hh: (3H, H), biases: (3H,) -> h' (B, H)
    r = sigmoid(...), z = sigmoid(...), n = tanh(x_n + r * h_n), h' = (1 - z) * n + z * h
    """
    x_r, x_z, x_n = (x @ weight_ih.T + bias_ih).chunk(3, dim=-1)
    h_r, h_z, h_n = (h @ weight_hh.T + bias_hh).chunk(3, dim=-1)
    r = torch.sigmoid(x_r + h_r)
    z = torch.sigmoid(x_z + h_z)
    n = torch.tanh(x_n + r * h_n)
    return (1 - z) * n + z * h


RECURRENT_LAYERS = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class SequenceModel(nn.Module):
    """Embedding -> RNN/LSTM/GRU -> linear read-out, for the toy sequence tasks.

    tokens (B, T) -> logits (B, T, num_classes) when per_step, else (B, num_classes) from the
    last hidden state.
    """

    def __init__(self, vocab_size, num_classes, hidden_size=64, kind="rnn", per_step=False, embed_size=None):
        super().__init__()
        embed_size = embed_size or hidden_size
        self.kind = kind
        self.per_step = per_step
        self.embed = nn.Embedding(vocab_size, embed_size)
        self.recurrent = RECURRENT_LAYERS[kind](embed_size, hidden_size, batch_first=True)
        self.readout = nn.Linear(hidden_size, num_classes)

    def forward(self, tokens):
        return self.forward_embedded(self.embed(tokens))

    def forward_embedded(self, x):
        """The same model from already embedded inputs x (B, T, E), e.g. to take gradients w.r.t. them."""
        outputs, _ = self.recurrent(x)
        if self.per_step:
            return self.readout(outputs)
        return self.readout(outputs[:, -1])


def input_gradient_norms(model, tokens, targets):
    """How much the loss can still feel each time step's input: ||dL/dx_t||, averaged over the batch.

    model: a SequenceModel with a last-step read-out; tokens (B, T); targets (B,) -> norms (T,).
    Norms shrinking towards t = 0 are vanishing gradients: early inputs barely move the loss,
    so training gets almost no signal to remember them.
    """
    x = model.embed(tokens).detach().requires_grad_(True)
    loss = nn.functional.cross_entropy(model.forward_embedded(x), targets)
    (grad,) = torch.autograd.grad(loss, x)
    return grad.norm(dim=-1).mean(dim=0)
