"""Translation explorer (chapters 04 and 09): step through a greedy translation and see, for every
English word, how much attention it paid to each Korean token.

``translation_steps`` is the plain computation (testable without a browser); ``step_html`` renders
one step as HTML (Korean tokens shaded by their weight); ``korean_tokens`` splits a sentence the
learner types into the corpus's tokens (particles split off) and names the words the vocabulary does
not know; ``translation_explorer`` puts a sentence chooser, a text box and a step slider on it, with
the whole attention map below. Steps are counted from 1 on the slider and in the label alike.

Models: an ``AttentionSeq2Seq`` (``model(src, ys)``, weights from ``forward_with_attention``) or
lib's ``Transformer`` (``model((src, ys))``, weights = the last decoder layer's cross-attention,
averaged over the heads).
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


def _is_transformer(model) -> bool:
    from lib.transformer import Transformer

    return isinstance(model, Transformer)


def translation_steps(model, data, korean_tokens, max_len: int = 30) -> StepwiseTranslation:
    """Translate one Korean sentence (token list) greedily and collect the attention per step.

    The weights come from ``model.forward_with_attention(src, tgt_input)`` (AttentionSeq2Seq) or
    from the last decoder layer's cross-attention (Transformer, mean over heads), computed once on
    the decoded sentence: with teacher forcing on its own output the model sees exactly what it saw
    while decoding.
    """
    src = pad_batch([data.src_vocab.encode(korean_tokens)])
    model.eval()
    transformer = _is_transformer(model)
    step_model = (lambda s, ys: model((s, ys))) if transformer else model
    ids = greedy_decode(step_model, src, BOS_ID, EOS_ID, max_len)[0]
    ids = ids[ids != PAD_ID]
    tokens = [data.tgt_vocab.itos[i] for i in ids.tolist()]
    weights = None
    if len(ids) and (transformer or hasattr(model, "forward_with_attention")):
        decoder_input = torch.cat([torch.tensor([BOS_ID]), ids[:-1]]).unsqueeze(0)
        with torch.no_grad():
            if transformer:
                model((src, decoder_input))
                weights = model.decoder.layers[-1].cross_attention_weights[0].mean(0)  # (h, T, S) -> (T, S)
            else:
                weights = model.forward_with_attention(src, decoder_input)[1][0]
    return StepwiseTranslation(list(korean_tokens), tokens, weights)


PARTICLES = ("에서", "은", "는", "을", "를", "와", "과")  # written attached to the word before them


def korean_tokens(text: str, vocab) -> tuple:
    """A typed Korean sentence -> (tokens, unknown words), tokenised like the corpus.

    '그녀는 집에서 빵을 먹었다' -> ['그녀', '는', '집', '에서', '빵', '을', '먹었다'], []. A word is kept
    whole when the vocabulary knows it, else a particle is split off its end when the rest is known;
    any other word is returned in ``unknown`` (the model would only see <unk> there).
    """
    tokens, unknown = [], []
    for word in text.replace(".", " ").split():
        if word in vocab.stoi:
            tokens.append(word)
            continue
        for particle in PARTICLES:
            stem = word[: -len(particle)]
            if word.endswith(particle) and stem in vocab.stoi:
                tokens += [stem, particle]
                break
        else:
            unknown.append(word)
    return tokens, unknown


def _known_words_hint(vocab) -> str:
    from lib import corpus

    samples = [list(corpus.SUBJECTS)[:4], list(corpus.NOUNS)[:5], [forms[1] for forms, _, _ in corpus.VERBS.values()][:4]]
    return "아는 단어의 예: " + " / ".join(", ".join(words) for words in samples)


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
    lines = [f"<div><b>영어 출력</b> (출력 단계 {step + 1}/{len(result.output_tokens)}): {' '.join(words)}</div>"]
    if result.weights is None:
        lines.append("<div style='color:#888'>어텐션이 없는 모델: 모든 단계가 같은 문맥 벡터 C를 읽습니다.</div>")
        source = " ".join(html.escape(t) for t in result.source_tokens)
    else:
        weights = result.weights[step].tolist()
        cells = []
        for token, w in zip(result.source_tokens, weights):
            shade = int(255 - 200 * w)
            color = "white" if w > 0.6 else "black"
            # inline-block + nowrap: a token and its weight always stay together on one line
            cells.append(f"<span title='{w:.2f}' style='display:inline-block;white-space:nowrap;"
                         f"background:rgb({shade},{shade},255);color:{color};"
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
    """ipywidgets: choose a test sentence or type your own, then slide through the output steps.

    pairs: sentence pairs to offer (default: the test set, longest first, up to max_sentences).
    The slider counts output steps from 1, like the label above the sentence.
    """
    import ipywidgets as widgets

    pairs = list(data.test if pairs is None else pairs)
    pairs = sorted(pairs, key=lambda p: -len(p.ko))[:max_sentences]
    chooser = widgets.Dropdown(options=[(korean_text(p.ko), i) for i, p in enumerate(pairs)], value=0,
                               description="문장", layout=widgets.Layout(width="95%"))
    typed = widgets.Text(placeholder="직접 써 보기: 예) 그녀는 집에서 빵을 먹었다 (Enter)", description="직접 입력",
                         continuous_update=False, layout=widgets.Layout(width="75%"))
    go = widgets.Button(description="번역")
    slider = widgets.IntSlider(value=1, min=1, max=1, description="출력 단계", continuous_update=True)
    view = widgets.HTML()
    reference = widgets.HTML()
    out = widgets.Output()
    state = {}

    def draw_map():
        with out:
            out.clear_output(wait=True)
            result = state.get("result")
            if result is not None and result.weights is not None:
                fig, ax = plt.subplots(figsize=(min(0.55 * len(result.source_tokens) + 2.5, 9),
                                                0.35 * len(result.output_tokens) + 1.5))
                plot_steps(result, slider.value - 1, ax=ax)
                plt.show()

    def show(korean, english=None):
        state["result"] = translation_steps(model, data, korean)
        if english is None:
            reference.value = (f"<div>직접 입력한 문장: <i>{html.escape(korean_text(korean))}</i> — 정답이 없으니 "
                               "번역이 자연스러운지 직접 판단해 보세요.</div>")
        else:
            produced = [t for t in state["result"].output_tokens if t != "<eos>"]
            mark = "✅ 정답과 같음" if tuple(produced) == tuple(english) else "❌ 정답과 다름"
            reference.value = f"<div>정답: <i>{html.escape(english_text(english))}</i> — {mark}</div>"
        slider.max = max(len(state["result"].output_tokens), 1)
        if slider.value != 1:
            slider.value = 1  # redraws through on_step
        else:
            on_step()

    def on_sentence(_change=None):
        pair = pairs[chooser.value]
        show(pair.ko, pair.en)

    def on_typed(_button=None):
        tokens, unknown = korean_tokens(typed.value, data.src_vocab)
        if unknown or not tokens:
            problem = (f"어휘에 없는 단어가 있습니다: <b>{html.escape(', '.join(unknown))}</b>. " if unknown
                       else "문장을 입력하세요. ")
            reference.value = (f"<div style='color:#b00'>{problem}이 모델은 장난감 말뭉치의 단어만 압니다. "
                               f"조사(은/는, 을/를, 와/과, 에서)는 단어에 붙여 쓰세요.<br>"
                               f"{html.escape(_known_words_hint(data.src_vocab))}</div>")
            state.pop("result", None)  # no stale translation of an earlier sentence under this error
            view.value = ""
            slider.max = slider.min
            with out:
                out.clear_output()
            return
        show(tokens)

    def on_step(_change=None):
        if "result" in state:
            view.value = step_html(state["result"], slider.value - 1)
            draw_map()

    chooser.observe(on_sentence, names="value")
    go.on_click(on_typed)
    typed.observe(on_typed, names="value")  # Enter (or leaving the box) sends the sentence
    slider.observe(on_step, names="value")
    on_sentence()
    return widgets.VBox([chooser, widgets.HBox([typed, go]), reference, slider, view, out])
