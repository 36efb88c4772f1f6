"""Plots with Korean labels: attention heatmaps, curves. Every function returns the Axes;
notebook cells end with ``plt.show()``.
"""

import matplotlib.pyplot as plt
import torch

from lib.ui.fonts import use_korean_font

use_korean_font()


def _to_numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().float().numpy()
    return x


def heatmap(matrix, x_labels=None, y_labels=None, title="", ax=None, cmap="viridis",
            xlabel="", ylabel="", annotate=False, vmin=None, vmax=None, colorbar=True):
    """Draw a (rows, cols) matrix, e.g. attention weights (queries x keys)."""
    matrix = _to_numpy(matrix)
    if ax is None:
        _, ax = plt.subplots(figsize=(0.5 * matrix.shape[1] + 2, 0.45 * matrix.shape[0] + 1.5))
    image = ax.imshow(matrix, cmap=cmap, aspect="auto", vmin=vmin, vmax=vmax)
    if x_labels is not None:
        ax.set_xticks(range(len(x_labels)), labels=list(x_labels), rotation=60, ha="right")
    if y_labels is not None:
        ax.set_yticks(range(len(y_labels)), labels=list(y_labels))
    if annotate:
        for i in range(matrix.shape[0]):
            for j in range(matrix.shape[1]):
                ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=7,
                        color="white" if matrix[i, j] < (matrix.max() + matrix.min()) / 2 else "black")
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if colorbar:
        ax.figure.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    return ax


def attention_map(weights, source_tokens, target_tokens, title="어텐션 가중치", ax=None,
                  xlabel="입력(키) 토큰", ylabel="출력(쿼리) 토큰", colorbar=True):
    """Attention weights (target steps x source steps) with token labels on both axes."""
    return heatmap(weights, x_labels=source_tokens, y_labels=target_tokens, title=title, ax=ax,
                   xlabel=xlabel, ylabel=ylabel, vmin=0.0, vmax=1.0, colorbar=colorbar)


def translation_attention_map(weights, korean_tokens, english_tokens, title="어텐션 가중치", ax=None,
                              colorbar=True):
    """Seq2seq attention (English output steps x Korean source tokens): Korean on x, English on y."""
    return attention_map(weights, korean_tokens, english_tokens, title=title, ax=ax,
                         xlabel="한국어 입력 (인코더 시점)", ylabel="영어 출력 (디코더 시점)", colorbar=colorbar)


def encoder_decoder_diagram(source_tokens, target_tokens, ax=None, context_every_step=False,
                            title="인코더-디코더 (어텐션 없음)"):
    """The notes' missing figure (image-4.png), redrawn: encoder RNN boxes over the source tokens,
    the last hidden state = context vector C, decoder RNN boxes from <bos> to the output tokens.

    context_every_step=True also draws C going into every decoder step (as lib.seq2seq.Decoder does).
    """
    from matplotlib.patches import Circle, FancyBboxPatch

    n_src, n_dec = len(source_tokens), len(target_tokens) + 1
    step, box_w, box_h = 1.25, 0.85, 0.6
    enc_x = [i * step for i in range(n_src)]
    c_x = enc_x[-1] + step * 1.1
    dec_x = [c_x + step * 1.1 + i * step for i in range(n_dec)]
    if ax is None:
        _, ax = plt.subplots(figsize=(0.62 * (dec_x[-1] + 2), 3.2))
    arrow = dict(arrowstyle="-|>", color="#444", lw=1.2, shrinkA=0, shrinkB=0)

    def box(x, label, color):
        ax.add_patch(FancyBboxPatch((x - box_w / 2, -box_h / 2), box_w, box_h, boxstyle="round,pad=0.03",
                                    facecolor=color, edgecolor="#333"))
        ax.text(x, 0, label, ha="center", va="center", fontsize=9)

    for i, (x, token) in enumerate(zip(enc_x, source_tokens)):
        box(x, "RNN", "#cfe2f3")
        ax.text(x, -1.25, token, ha="center", va="center", fontsize=10)
        ax.annotate("", (x, -box_h / 2), (x, -1.05), arrowprops=arrow)
        if i:
            ax.annotate("", (x - box_w / 2, 0), (enc_x[i - 1] + box_w / 2, 0), arrowprops=arrow)
    ax.add_patch(Circle((c_x, 0), 0.36, facecolor="#b6d7a8", edgecolor="#333"))
    ax.text(c_x, 0, "C", ha="center", va="center", fontsize=12)
    ax.annotate("", (c_x - 0.36, 0), (enc_x[-1] + box_w / 2, 0), arrowprops=arrow)
    ax.text(c_x, 0.62, "문맥 벡터\n(마지막 은닉 상태)", ha="center", va="bottom", fontsize=8)
    ax.annotate("", (dec_x[0] - box_w / 2, 0), (c_x + 0.36, 0), arrowprops=arrow)
    inputs = ["<bos>"] + list(target_tokens)
    outputs = list(target_tokens) + ["<eos>"]
    for i, x in enumerate(dec_x):
        box(x, "RNN", "#fce5cd")
        ax.text(x, -1.25, inputs[i], ha="center", va="center", fontsize=10, color="#666")
        ax.annotate("", (x, -box_h / 2), (x, -1.05), arrowprops=arrow)
        ax.text(x, 1.25, outputs[i], ha="center", va="center", fontsize=10)
        ax.annotate("", (x, 1.05), (x, box_h / 2), arrowprops=arrow)
        if i:
            ax.annotate("", (x - box_w / 2, 0), (dec_x[i - 1] + box_w / 2, 0), arrowprops=arrow)
            if i < len(outputs):
                ax.annotate("", (x - 0.1, -1.05), (dec_x[i - 1] + 0.2, 1.05),
                            arrowprops=dict(arrowstyle="-|>", color="#bbb", lw=0.8, linestyle=":"))
        if context_every_step and i:
            ax.annotate("", (x - 0.2, box_h / 2), (c_x + 0.2, 0.3),
                        arrowprops=dict(arrowstyle="-|>", color="#6aa84f", lw=0.8, linestyle="--",
                                        connectionstyle="arc3,rad=-0.25"))
    ax.text((enc_x[0] + enc_x[-1]) / 2, -1.85, "인코더 (한국어 입력)", ha="center", fontsize=10, color="#1c4587")
    ax.text((dec_x[0] + dec_x[-1]) / 2, -1.85, "디코더 (영어 출력, 이전 출력이 다음 입력)", ha="center",
            fontsize=10, color="#b45f06")
    ax.set_xlim(-0.8, dec_x[-1] + 0.8)
    ax.set_ylim(-2.1, 1.7)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(title)
    return ax


def curves(xs, series: dict, title="", xlabel="", ylabel="", ax=None, marker="o"):
    """Several named lines over the same x values, e.g. accuracy vs length per model."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for name, ys in series.items():
        ax.plot(list(xs), [float(y) for y in ys], marker=marker, label=name)
    ax.set_title(title)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.grid(alpha=0.3)
    if len(series) > 1:
        ax.legend()
    return ax


def loss_curve(histories: dict, title="학습 손실", ax=None, window=20):
    """Smoothed training loss of one or more runs: {name: History}."""
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for name, history in histories.items():
        ax.plot(history.smoothed(window), label=name)
    ax.set_title(title)
    ax.set_xlabel("학습 단계(step)")
    ax.set_ylabel("손실(loss)")
    ax.grid(alpha=0.3)
    if len(histories) > 1:
        ax.legend()
    return ax
