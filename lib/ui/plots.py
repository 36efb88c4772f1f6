"""Plots with Korean labels: attention heatmaps, curves. Every function returns the Axes;
notebook cells end with ``plt.show()``.
"""

import matplotlib.pyplot as plt
import torch

from lib.ui.fonts import use_korean_font


def _to_numpy(x):
    if isinstance(x, torch.Tensor):
        return x.detach().cpu().float().numpy()
    return x


def heatmap(matrix, x_labels=None, y_labels=None, title="", ax=None, cmap="viridis",
            xlabel="", ylabel="", annotate=False, vmin=None, vmax=None, colorbar=True):
    """Draw a (rows, cols) matrix, e.g. attention weights (queries x keys)."""
    use_korean_font()  # Hangul labels (asked for here, not at import)
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
    ax = heatmap(weights, x_labels=source_tokens, y_labels=target_tokens, title=title, ax=ax,
                 xlabel=xlabel, ylabel=ylabel, vmin=0.0, vmax=1.0, colorbar=colorbar)
    ax.set_ylabel(ylabel, labelpad=10)  # the default 4 pt put the rotated Hangul label against the Hangul ticks
    return ax


def translation_attention_map(weights, korean_tokens, english_tokens, title="어텐션 가중치", ax=None,
                              colorbar=True):
    """Seq2seq attention (English output steps x Korean source tokens): Korean on x, English on y."""
    return attention_map(weights, korean_tokens, english_tokens, title=title, ax=ax,
                         xlabel="한국어 입력 (인코더 시점)", ylabel="영어 출력 (디코더 출력 단계)", colorbar=colorbar)


def encoder_decoder_diagram(source_tokens, target_tokens, ax=None, context_every_step=False,
                            title="인코더-디코더 (어텐션 없음)"):
    """The notes' missing figure (image-4.png), redrawn: encoder RNN boxes over the source tokens,
    the last hidden state = context vector C, decoder RNN boxes from <bos> to the output tokens.

    context_every_step=True also draws C going into every decoder step (as lib.seq2seq.Decoder does).
    """
    use_korean_font()  # Hangul labels (asked for here, not at import)
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
        if context_every_step:  # C goes into every step, the first one included
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
    use_korean_font()  # Hangul labels (asked for here, not at import)
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


def loss_curve(histories: dict, title="학습 손실", ax=None, window=20, x=None, xlabel="학습 스텝(step)",
               log=False):
    """Training loss of one or more runs, {name: History}: each step's loss faint, and the loss
    smoothed (an exponential moving average over ~``window`` steps, lib.train.smooth) as the line.
    x: optional function History -> x values (e.g. seconds) instead of the step number."""
    use_korean_font()  # Hangul labels (asked for here, not at import)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.5))
    for name, history in histories.items():
        xs = x(history) if x is not None else range(1, len(history.loss) + 1)
        raw = ax.plot(xs, history.loss, alpha=0.22, lw=0.8)[0]
        ax.plot(xs, history.smoothed(window), color=raw.get_color(), lw=1.8, label=name or None)
    ax.set_title(title, pad=16)
    ax.text(0.5, 1.01, f"연한 선: 스텝마다의 손실 / 진한 선: 매끄럽게 한 손실(지수 이동 평균, 약 {window}스텝)",
            transform=ax.transAxes, ha="center", va="bottom", fontsize=8, color="#555")
    ax.set_xlabel(xlabel)
    ax.set_ylabel("손실(loss)")
    if log:
        ax.set_yscale("log")
    ax.grid(alpha=0.3)
    if len([name for name in histories if name]) > 1:
        ax.legend()
    return ax


# ---------------------------------------------------------------- the Transformer, as in the paper

TRANSFORMER_PARTS = ("embedding", "positional_encoding", "encoder_self_attention", "decoder_self_attention",
                     "cross_attention", "feed_forward", "add_norm", "final_layer", "softmax", "encoder", "decoder")


def transformer_diagram(highlight=None, ax=None, small=False, title=None):
    """The whole encoder-decoder Transformer in the paper's arrangement (Vaswani et al. 2017, Fig. 1),
    with Korean labels: the encoder stack on the left and the decoder stack on the right (each N×),
    embeddings + positional encoding at the bottom, Add & Norm after every sublayer (residual paths
    drawn), the cross-attention reading the encoder output, the final Linear giving the logits, and the
    softmax drawn outside the model (inside the loss, from_logits=True, and in beam search; greedy needs none).

    highlight: a part name or a list of them (see TRANSFORMER_PARTS); every other part is dimmed.
    small=True draws a compact version (Korean labels only) for the place where a part is introduced.
    Fits the notebook width (≤ 9 in); every label is ≥ 8 pt.
    """
    use_korean_font()  # Hangul labels (asked for here, not at import)
    from matplotlib.patches import Circle, FancyBboxPatch, Rectangle

    if isinstance(highlight, str):
        highlight = [highlight]
    highlight = set(highlight or [])
    unknown = highlight - set(TRANSFORMER_PARTS)
    if unknown:
        raise ValueError(f"알 수 없는 부분 {sorted(unknown)}: 다음 중에서 고르세요 {list(TRANSFORMER_PARTS)}")
    if ax is None:
        fig, ax = plt.subplots(figsize=(5.6, 4.8) if small else (8.6, 7.3))
        if small:  # less empty margin, so the 8 pt labels (마스크드 멀티 헤드 어텐션) sit inside their boxes
            fig.subplots_adjust(left=0.02, right=0.98, bottom=0.02, top=0.93)
    big, note = (8, 8) if small else (10, 8)

    def shown(*parts):
        return not highlight or bool(highlight & set(parts))

    def box(x, y, w, h, korean, english, short, color, parts, dashed=False):
        on = shown(*parts)
        marked = on and bool(highlight)
        ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, boxstyle="round,pad=0.02,rounding_size=0.08",
                                    facecolor=color if on else "#f3f3f3", linestyle="--" if dashed else "-",
                                    edgecolor=("#c00000" if marked else "#333") if on else "#cccccc",
                                    linewidth=2.2 if marked else 1.0, zorder=3))
        text_color = "#111" if on else "#b5b5b5"
        if small or not english:
            ax.text(x, y, short if small else korean, ha="center", va="center", fontsize=big, color=text_color,
                    zorder=4)
        else:
            ax.text(x, y + 0.01, korean, ha="center", va="bottom", fontsize=big, color=text_color, zorder=4)
            ax.text(x, y - 0.04, english, ha="center", va="top", fontsize=note,
                    color="#555" if on else "#c8c8c8", zorder=4)

    def arrow(start, end, parts, color="#444", style="-|>", lw=1.1, dashed=False):
        on = shown(*parts)
        ax.annotate("", end, start, zorder=2, arrowprops=dict(
            arrowstyle=style, color=color if on else "#d5d5d5", lw=lw, shrinkA=0, shrinkB=0,
            linestyle="--" if dashed else "-"))

    def line(xs, ys, parts, color="#444", lw=1.1):
        ax.plot(xs, ys, color=color if shown(*parts) else "#d5d5d5", lw=lw, zorder=2, solid_capstyle="butt")

    enc, dec = 2.6, 7.6  # column centres
    bw, frame_w = 3.3, 4.0  # box width, stack frame width
    sub_h, norm_h = 0.66, 0.42
    attention, norm_color, ffn, embed_color, linear_color = "#fcd5b4", "#fff2cc", "#cfe2f3", "#f4cccc", "#d9d2e9"

    # stack frames with N×
    for x, top, side, parts in [(enc, 5.75, -1, ("encoder",)), (dec, 7.45, 1, ("decoder",))]:
        on = shown(*parts)
        ax.add_patch(Rectangle((x - frame_w / 2, 2.55), frame_w, top - 2.55, facecolor="#f2f2f2" if on else "#fafafa",
                               edgecolor="#999" if on else "#e0e0e0", linewidth=1.0, zorder=1))
        label_x, middle = x + side * (frame_w / 2 + 0.15), (2.55 + top) / 2
        ax.text(label_x, middle + 0.05, "N×", ha="left" if side > 0 else "right", va="bottom",
                fontsize=big + 2, fontweight="bold", color="#111" if on else "#bbb")
        ax.text(label_x, middle - 0.05, ("인코더 층" if side < 0 else "디코더 층") + ("" if small else "\n(N번 쌓음)"),
                ha="left" if side > 0 else "right", va="top", fontsize=note, color="#333" if on else "#bbb")

    # inputs, embeddings, positional encoding
    for x, text, short, side in [(enc, "한국어 토큰 context (B, S)", "한국어 토큰", "encoder"),
                                 (dec, "한 칸 밀린 영어 토큰 x (B, T)", "밀린 영어 토큰", "decoder")]:
        ax.text(x, 0.25, short if small else text, ha="center", va="center", fontsize=note,
                color="#333" if shown(side, "embedding") else "#bbb")
        arrow((x, 0.45), (x, 0.85), (side, "embedding"))
        box(x, 1.1, bw, 0.56, "임베딩 × √d", "(embedding)", "임베딩 × √d", embed_color, ("embedding", side))
        arrow((x, 1.35), (x, 1.72), (side, "embedding", "positional_encoding"))
        on = shown("positional_encoding", side)
        ax.add_patch(Circle((x, 1.9), 0.18, facecolor="white", edgecolor=("#c00000" if highlight else "#333")
                            if on else "#ccc", linewidth=2.2 if on and highlight else 1.0, zorder=3))
        ax.text(x, 1.9, "+", ha="center", va="center", fontsize=big + 2, color="#111" if on else "#bbb", zorder=4)
        pe_x = x - 0.75 if side == "encoder" else x + 0.75
        ax.text(pe_x, 1.9, "위치 인코딩" if small else "위치 인코딩\n(positional encoding)",
                ha="right" if side == "encoder" else "left", va="center", fontsize=note,
                color="#111" if on else "#bbb")
        arrow((pe_x + (0.05 if side == "encoder" else -0.05), 1.9), (x + (-0.18 if side == "encoder" else 0.18), 1.9),
              ("positional_encoding", side))

    def sublayer_stack(x, layers, residual_side, side):
        """layers: list of (korean, english, short, color, parts) from bottom to top; each followed by Add & Norm."""
        y = 2.55
        arrow((x, 2.08), (x, 2.55), (side,))
        bottom = 2.55 + 0.2
        for korean, english, short, color, parts in layers:
            y_sub = bottom + sub_h / 2 + 0.12
            y_norm = y_sub + sub_h / 2 + 0.25 + norm_h / 2
            # main path into the sublayer and on to Add & Norm
            line([x, x], [bottom, y_sub - sub_h / 2], parts + (side,))
            arrow((x, y_sub - sub_h / 2 - 0.001), (x, y_sub - sub_h / 2), parts + (side,))
            box(x, y_sub, bw, sub_h, korean, english, short, color, parts + (side,))
            arrow((x, y_sub + sub_h / 2), (x, y_norm - norm_h / 2), parts + (side, "add_norm"))
            box(x, y_norm, bw, norm_h, "Add & Norm", "", "Add & Norm", norm_color, ("add_norm", side))
            # residual connection: from below the sublayer, around it, into Add & Norm
            rx = x + residual_side * (bw / 2 + 0.2)
            y_from = bottom + 0.06
            line([x, rx, rx], [y_from, y_from, y_norm], ("add_norm", side), color="#6d6d6d")
            arrow((rx, y_norm), (x + residual_side * bw / 2, y_norm), ("add_norm", side), color="#6d6d6d")
            bottom = y_norm + norm_h / 2
            yield korean, y_sub
        line([x, x], [bottom, bottom + 0.2], (side,))

    encoder_layers = [("멀티 헤드 셀프 어텐션", "(multi-head self-attention)", "셀프 어텐션", attention,
                       ("encoder_self_attention",)),
                      ("피드포워드", "(feed-forward)", "피드포워드", ffn, ("feed_forward",))]
    decoder_layers = [("마스크드 멀티 헤드 어텐션", "(masked multi-head attention)", "마스크드 멀티 헤드 어텐션",
                       attention, ("decoder_self_attention",)),
                      ("멀티 헤드 크로스 어텐션", "(cross-attention)", "크로스 어텐션", attention,
                       ("cross_attention",)),
                      ("피드포워드", "(feed-forward)", "피드포워드", ffn, ("feed_forward",))]
    list(sublayer_stack(enc, encoder_layers, -1, "encoder"))
    y_of = dict(sublayer_stack(dec, decoder_layers, 1, "decoder"))
    y_cross = y_of["멀티 헤드 크로스 어텐션"]

    # encoder output -> keys and values of every decoder layer's cross-attention
    parts = ("cross_attention", "encoder")
    route_x = dec - bw / 2 - 0.45
    line([enc, enc, route_x, route_x], [5.75, 6.35, 6.35, y_cross], parts, color="#1c4587", lw=1.5)
    arrow((route_x, y_cross), (dec - bw / 2, y_cross), parts, color="#1c4587", lw=1.5)
    ax.text((enc + route_x) / 2 - 0.3, 6.42, "인코더 출력 context" if small else "인코더 출력 context → 키·값 (key/value)",
            ha="center", va="bottom", fontsize=note, color="#1c4587" if shown(*parts) else "#bbb")

    # final linear layer -> logits; softmax only inside the loss and in decoding that needs probabilities (beam search)
    arrow((dec, 7.45), (dec, 7.85), ("decoder", "final_layer"))
    box(dec, 8.1, bw, 0.56, "선형층(출력층) final_layer", "(Linear: D → V)", "선형층 (Linear)", linear_color,
        ("final_layer", "decoder"))
    arrow((dec, 8.35), (dec, 8.7), ("final_layer",))
    ax.text(dec, 8.85, "로짓 (logits) (B, T, V)", ha="center", va="center", fontsize=big,
            color="#111" if shown("final_layer") else "#bbb")
    box(enc + 0.2, 8.55, 3.5, 0.9, "소프트맥스 (softmax): 모델 밖", "손실(교차 엔트로피)과 빔 서치 등에서만",
        "소프트맥스: 모델 밖\n(손실·빔 서치에서)", "#d9ead3", ("softmax",), dashed=True)
    arrow((dec - (0.8 if small else 1.3), 8.85), (enc + 0.2 + 1.75, 8.7), ("softmax", "final_layer"), dashed=True)

    ax.set_xlim(-0.7, 10.9)
    ax.set_ylim(0.0, 9.3)
    ax.set_aspect("equal")
    ax.axis("off")
    if title is None:
        title = "트랜스포머 (Transformer) 전체 구조" if not highlight else \
            "트랜스포머 — 강조: " + ", ".join(_PART_NAMES[p] for p in TRANSFORMER_PARTS if p in highlight)
    ax.set_title(title, fontsize=big + 1)
    return ax


_PART_NAMES = {"embedding": "임베딩", "positional_encoding": "위치 인코딩", "encoder_self_attention": "인코더 셀프 어텐션",
               "decoder_self_attention": "마스크드 멀티 헤드 어텐션", "cross_attention": "크로스 어텐션",
               "feed_forward": "피드포워드", "add_norm": "Add & Norm", "final_layer": "선형층과 로짓",
               "softmax": "소프트맥스", "encoder": "인코더", "decoder": "디코더"}
