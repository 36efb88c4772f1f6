"""Translation explorer (chapters 03-04): step through a greedy translation and see, for every
English word, how much attention it paid to each Korean token.

``translation_steps`` is the plain computation (testable without a browser); ``step_html`` renders
one step as HTML (Korean tokens shaded by their weight); ``translation_explorer`` puts a sentence
chooser and a step slider on it, with the whole attention map below.
"""

import html
from dataclasses import dataclass

import matplotlib.pyplot as plt
import torch

from lib.ui import plots
from lib.corpus import english_text, korean_text, pad_batch
from lib.data import BOS_ID, EOS_ID, PAD_ID
from lib.seq2seq import greedy_decode


@dataclass
class StepwiseTranslation:
    """A greedy translation, step by step.

    source_tokens: Korean tokens (S); output_tokens: English tokens produced, '<eos>' included if
    produced (L); weights: (L, S) attention of each output step over the source, or None for a model
    without attention (every step then reads the same context vector C).
    """

    source_tokens: list
    output_tokens: list
    weights: torch.Tensor | None


def translation_steps(model, data, korean_tokens, max_len: int = 30) -> StepwiseTranslation:
    """Translate one Korean sentence (token list) greedily and collect the attention per step.

    The weights come from ``model.forward_with_attention(src, tgt_input)`` (AttentionSeq2Seq),
    run once on the decoded sentence: with teacher forcing on its own output it sees exactly
    what it saw while decoding.
    """
    src = pad_batch([data.src_vocab.encode(korean_tokens)])
    model.eval()
    ids = greedy_decode(model, src, BOS_ID, EOS_ID, max_len)[0]
    ids = ids[ids != PAD_ID]
    tokens = [data.tgt_vocab.itos[i] for i in ids.tolist()]
    weights = None
    if hasattr(model, "forward_with_attention") and len(ids):
        decoder_input = torch.cat([torch.tensor([BOS_ID]), ids[:-1]]).unsqueeze(0)
        with torch.no_grad():
            _, w = model.forward_with_attention(src, decoder_input)
        weights = w[0]
    return StepwiseTranslation(list(korean_tokens), tokens, weights)


def step_html(result: StepwiseTranslation, step: int) -> str:
    """HTML for output step ``step`` (0-based): the English so far, the current word marked, and
    the Korean tokens shaded by how much this step attends to them."""
    words = []
    for i, token in enumerate(result.output_tokens):
        text = html.escape(token)
        if i == step:
            words.append(f"<b style='background:#ffe599;padding:1px 3px'>{text}</b>")
        elif i < step:
            words.append(text)
        else:
            words.append(f"<span style='color:#ccc'>{text}</span>")
    lines = [f"<div><b>영어 출력</b> (단계 {step + 1}/{len(result.output_tokens)}): {' '.join(words)}</div>"]
    if result.weights is None:
        lines.append("<div style='color:#888'>어텐션이 없는 모델: 모든 단계가 같은 문맥 벡터 C를 읽습니다.</div>")
        source = " ".join(html.escape(t) for t in result.source_tokens)
    else:
        weights = result.weights[step].tolist()
        cells = []
        for token, w in zip(result.source_tokens, weights):
            shade = int(255 - 200 * w)
            color = "white" if w > 0.6 else "black"
            cells.append(f"<span title='{w:.2f}' style='background:rgb({shade},{shade},255);color:{color};"
                         f"padding:2px 4px;margin:1px;border-radius:3px'>{html.escape(token)}<sub>{w:.2f}</sub></span>")
        source = " ".join(cells)
        top = max(range(len(weights)), key=weights.__getitem__)
        lines.append(f"<div style='margin-top:4px'>가장 많이 본 한국어 토큰: <b>{html.escape(result.source_tokens[top])}</b>"
                     f" ({weights[top]:.2f})</div>")
    lines.insert(1, f"<div style='margin-top:4px'><b>한국어 입력</b>: {source}</div>")
    return "\n".join(lines)


def plot_steps(result: StepwiseTranslation, step: int | None = None, ax=None):
    """The whole attention map (English on y, Korean on x), the current step's row outlined."""
    if result.weights is None:
        return None
    ax = plots.translation_attention_map(result.weights, result.source_tokens, result.output_tokens, ax=ax,
                                       title="어텐션 맵 (행 = 영어 출력 단계)")
    if step is not None:
        from matplotlib.patches import Rectangle

        ax.add_patch(Rectangle((-0.5, step - 0.5), len(result.source_tokens), 1, fill=False,
                               edgecolor="red", linewidth=2))
    return ax


def translation_explorer(model, data, pairs=None, max_sentences: int = 40):
    """ipywidgets: choose a test sentence, slide through the output steps.

    pairs: sentence pairs to offer (default: the test set, longest first, up to max_sentences).
    """
    import ipywidgets as widgets

    pairs = list(data.test if pairs is None else pairs)
    pairs = sorted(pairs, key=lambda p: -len(p.ko))[:max_sentences]
    chooser = widgets.Dropdown(options=[(korean_text(p.ko), i) for i, p in enumerate(pairs)], value=0,
                               description="문장", layout=widgets.Layout(width="95%"))
    slider = widgets.IntSlider(value=0, min=0, max=0, description="출력 단계", continuous_update=True)
    view = widgets.HTML()
    reference = widgets.HTML()
    out = widgets.Output()
    state = {}

    def draw_map():
        with out:
            out.clear_output(wait=True)
            result = state["result"]
            if result.weights is not None:
                fig, ax = plt.subplots(figsize=(0.55 * len(result.source_tokens) + 2.5,
                                                0.35 * len(result.output_tokens) + 1.5))
                plot_steps(result, slider.value, ax=ax)
                plt.show()

    def on_sentence(_change=None):
        pair = pairs[chooser.value]
        state["result"] = translation_steps(model, data, pair.ko)
        produced = [t for t in state["result"].output_tokens if t != "<eos>"]
        mark = "✅ 정답과 같음" if tuple(produced) == pair.en else "❌ 정답과 다름"
        reference.value = f"<div>정답: <i>{html.escape(english_text(pair.en))}</i> — {mark}</div>"
        slider.max = max(len(state["result"].output_tokens) - 1, 0)
        if slider.value != 0:
            slider.value = 0  # redraws through on_step
        else:
            on_step()

    def on_step(_change=None):
        view.value = step_html(state["result"], slider.value)
        draw_map()

    chooser.observe(on_sentence, names="value")
    slider.observe(on_step, names="value")
    on_sentence()
    return widgets.VBox([chooser, reference, slider, view, out])
