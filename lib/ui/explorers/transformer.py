"""Chapter 06-07 explorers: attention weights over a small sentence (06), positional encoding (07).

Plain functions compute (tests and notebooks call them directly); ``*_explorer()`` wrap them in
ipywidgets. The toy sentence's embeddings are built by hand: a Korean word and its English
translation share one random "meaning" vector (from lib.corpus's lexicon), so dot-product
attention between the two sentences finds the word alignment without any training.
"""

import math

import matplotlib.pyplot as plt
import torch

from lib import corpus
from lib.attention import scaled_dot_product_attention, split_heads
from lib.ui.fonts import use_korean_font
from lib.transformer import positional_encoding


TOY_KO = ("어제", "학생", "은", "도서관", "에서", "새", "책", "을", "읽었다")
TOY_EN = ("the", "student", "read", "the", "new", "book", "in", "the", "library", "yesterday")

_FUNCTION_WORDS = {"the", "a", "at", "in", "with", "my", "to", "and"}
_NEGATION = {"않는다": "not", "않았다": "not", "않을": "not", "것이다": "will"}


def meanings() -> dict:
    """token -> meaning id, for Korean and English tokens of lib.corpus ('ko:책' and 'en:book' share one)."""
    pairs = []  # (korean word, english text, meaning)
    pairs += [(k, e, k) for k, (e, _) in corpus.SUBJECTS.items()]
    pairs += [(k, e, k) for k, (e, _, _) in corpus.NOUNS.items()]
    pairs += [(k, e, k) for k, e in corpus.ADJECTIVES.items()]
    pairs += [(k, e, k) for k, (e, _) in corpus.TIMES.items()]
    pairs += [(k, e, k) for k, e in [*corpus.PLACES.items(), *corpus.COMPANIONS.items(), *_NEGATION.items()]]
    for lemma, (forms, english, _) in corpus.VERBS.items():
        pairs += [(form, " ".join(english), lemma) for form in forms]  # every form shares the verb's meaning
    table = {}
    for korean, english, meaning in pairs:
        table[f"ko:{korean}"] = f"m:{meaning}"
        for word in english.split():
            if word not in _FUNCTION_WORDS:
                table.setdefault(f"en:{word}", f"m:{meaning}")
    return table


def toy_embeddings(tokens, side: str, d_model: int = 64, seed: int = 0) -> torch.Tensor:
    """(T, d_model): one random unit-variance vector per meaning; words without one get their own."""
    table = meanings()
    rows = []
    for token in tokens:
        key = table.get(f"{side}:{token}", f"{side}:{token}")
        g = torch.Generator().manual_seed(seed * 1_000_003 + sum(ord(c) * 31 ** i for i, c in enumerate(key)) % 2**31)
        rows.append(torch.randn(d_model, generator=g))
    return torch.stack(rows)


def cross_attention_weights(queries=TOY_EN, keys=TOY_KO, d_model: int = 64) -> torch.Tensor:
    """English queries over Korean keys with the shared meaning vectors: (Tq, Tk), rows sum to 1."""
    q = toy_embeddings(queries, "en", d_model)
    k = toy_embeddings(keys, "ko", d_model)
    return scaled_dot_product_attention(q, k, k)[1]


def toy_self_attention(tokens=TOY_KO, num_heads: int = 4, scaled: bool = True, d_model: int = 64,
                       seed: int = 0) -> torch.Tensor:
    """Self-attention weights (h, T, T) of a fixed random attention layer over the toy sentence.

    x = meaning vectors + positional encoding; W_q, W_k ~ N(0, 1/d_model), so q and k have
    unit-size entries and the unscaled scores grow like sqrt(d_k).
    """
    g = torch.Generator().manual_seed(seed)
    x = toy_embeddings(tokens, "ko", d_model, seed) + positional_encoding(len(tokens), d_model)
    w_q = torch.randn(d_model, d_model, generator=g) / math.sqrt(d_model)
    w_k = torch.randn(d_model, d_model, generator=g) / math.sqrt(d_model)
    q = split_heads((x @ w_q.T).unsqueeze(0), num_heads)[0]
    k = split_heads((x @ w_k.T).unsqueeze(0), num_heads)[0]
    if not scaled:  # undo the 1/sqrt(d_k) inside scaled_dot_product_attention
        q = q * math.sqrt(q.size(-1))
    return scaled_dot_product_attention(q, k, k)[1]


def entropy(weights: torch.Tensor) -> torch.Tensor:
    """Entropy (nats) of each row of attention weights: log(T) = uniform, 0 = one-hot."""
    return -(weights * weights.clamp_min(1e-12).log()).sum(-1)


# ---------------------------------------------------------------- widgets


def _output_plot(draw):
    import ipywidgets as widgets

    use_korean_font()  # Hangul labels (asked for here, not at import)
    out = widgets.Output()

    def redraw(**kwargs):
        with out:
            out.clear_output(wait=True)
            draw(**kwargs)
            plt.show()

    return out, redraw


def positional_encoding_explorer(length: int = 64, d_model: int = 64):
    """Sliders: position and dimension. Plots the dimension's sinusoid over positions, the
    position's encoding vector, and its cosine similarity to every other position."""
    import ipywidgets as widgets

    pe = positional_encoding(length, d_model)
    similarity = (pe @ pe.T) / (d_model / 2)  # every row has norm sqrt(d_model / 2)
    position = widgets.IntSlider(value=10, min=0, max=length - 1, description="위치 pos")
    dimension = widgets.IntSlider(value=4, min=0, max=d_model - 1, description="차원 j")

    def draw(pos, dim):
        fig, axes = plt.subplots(3, 1, figsize=(8, 7.5))  # stacked: fits the notebook width
        kind = "sin" if dim % 2 == 0 else "cos"
        period = 2 * math.pi * 10000 ** ((dim - dim % 2) / d_model)
        axes[0].plot(pe[:, dim].numpy())
        axes[0].plot([pos], [pe[pos, dim].item()], "ro")
        axes[0].set_title(f"차원 {dim} ({kind}, 주기 ≈ {period:.1f} 위치)")
        axes[0].set_xlabel("위치")
        axes[1].bar(range(d_model), pe[pos].numpy(), color=["C0" if j % 2 == 0 else "C1" for j in range(d_model)])
        axes[1].set_title(f"위치 {pos}의 인코딩 (파랑 sin, 주황 cos)")
        axes[1].set_xlabel("차원")
        axes[2].plot(similarity[pos].numpy())
        axes[2].axvline(pos, color="r", lw=0.8)
        axes[2].set_title(f"위치 {pos}와 다른 위치의 코사인 유사도")
        axes[2].set_xlabel("위치")
        fig.tight_layout()

    out, redraw = _output_plot(draw)
    widgets.interactive_output(redraw, {"pos": position, "dim": dimension})
    return widgets.VBox([widgets.HBox([position, dimension]), out])


def attention_explorer(tokens=TOY_KO, num_heads: int = 4):
    """Choose a query token, a head, and whether scores are scaled by 1/sqrt(d_k); see the weights."""
    import ipywidgets as widgets

    weights = {scaled: toy_self_attention(tokens, num_heads, scaled) for scaled in (True, False)}
    query = widgets.Dropdown(options=[(f"{i}: {t}", i) for i, t in enumerate(tokens)], value=len(tokens) - 1,
                             description="쿼리 토큰")
    head = widgets.IntSlider(value=0, min=0, max=num_heads - 1, description="헤드")
    scaled = widgets.Checkbox(value=True, description="1/√d_k로 나눔")

    def draw(query, head, scaled):
        w = weights[scaled][head, query]
        fig, ax = plt.subplots(figsize=(7, 3))
        ax.bar(range(len(tokens)), w.numpy(), color="C0" if scaled else "C3")
        ax.set_xticks(range(len(tokens)), labels=list(tokens))
        ax.set_ylim(0, 1)
        ax.set_ylabel("어텐션 가중치")
        ax.set_title(f"'{tokens[query]}'(쿼리)가 보는 곳 — 헤드 {head}, "
                     f"최대 가중치 {w.max():.2f}, 엔트로피 {entropy(w):.2f} (균등 = {math.log(len(tokens)):.2f})")
        fig.tight_layout()

    out, redraw = _output_plot(draw)
    widgets.interactive_output(redraw, {"query": query, "head": head, "scaled": scaled})
    return widgets.VBox([widgets.HBox([query, head, scaled]), out])
