"""Time per training step: lib's from-scratch Transformer vs its nn.Transformer twin.

    python tools/bench_transformer.py                 # chapter 08's configuration
    python tools/bench_transformer.py --steps 200 --dropout 0.1

Both models have the same configuration (d_model, heads, d_ff, layers, dropout, vocabularies),
the same embeddings, and train on the same batches of the toy corpus with the same step
(forward, cross-entropy, backward, gradient clipping, Adam). They run interleaved in one process,
in rounds of a few steps each, after a warm-up, so a busy machine slows both alike. ms/step is
the median over rounds; the ratio is lib / nn (the course's target: <= 1.25, spec section 8).

``measure(steps=...) -> dict`` is what tools/benchmark.py calls.
"""

import argparse
import statistics
import sys
import time

import torch
import torch.nn.functional as F

from lib.corpus import make_translation_data
from lib.tokens import PAD_ID
from lib.course.checks.torch_transformer import TorchTransformer
from lib.transformer import Transformer
from lib.utils import set_seed

# chapter 09's model (solutions/09_transformer.ipynb)
CONFIG = dict(d_model=64, num_heads=4, d_ff=128, num_layers=2, dropout=0.0)
BATCH_SIZE = 64


def _train_step(model, optimizer, batch):
    src, tgt, _ = batch
    logits = model((src, tgt[:, :-1]))
    loss = F.cross_entropy(logits.reshape(-1, logits.size(-1)), tgt[:, 1:].reshape(-1), ignore_index=PAD_ID)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()


def build_models(data, **config) -> dict:
    """{"lib": lib's Transformer, "nn": its nn.Transformer twin} with the same configuration and the
    same starting weights (copied from lib's), for the corpus ``data``."""
    set_seed(0)
    lib_model = Transformer(len(data.src_vocab), len(data.tgt_vocab), **{**CONFIG, **config})
    nn_model = TorchTransformer(len(data.src_vocab), len(data.tgt_vocab), **{**CONFIG, **config})
    nn_model.copy_weights_from(lib_model)  # the same starting point
    return {"lib": lib_model, "nn": nn_model}


def measure(steps: int = 200, warmup: int = 10, round_size: int = 10, batch_size: int = BATCH_SIZE,
            threads: int = 1, **config) -> dict:
    """Train both models ``steps`` steps each, interleaved; return ms/step and the ratio.

    config overrides CONFIG (e.g. dropout=0.1). threads: torch CPU threads (1, as lib.utils.set_seed
    pins it for every notebook).
    -> {"lib_ms": ..., "nn_ms": ..., "ratio": lib_ms / nn_ms, "steps": ..., "config": {...}}
    """
    config = {**CONFIG, **config}
    data = make_translation_data()
    torch.set_num_threads(threads)
    models = build_models(data, **config)
    optimizers = {name: torch.optim.Adam(m.parameters(), lr=1e-3) for name, m in models.items()}
    next_batch = data.batches(batch_size)
    batches = [next_batch(i) for i in range(warmup + steps)]  # the same batches for both

    for name, model in models.items():
        model.train()
        for batch in batches[:warmup]:
            _train_step(model, optimizers[name], batch)

    per_step = {name: [] for name in models}
    for start in range(warmup, warmup + steps, round_size):
        chunk = batches[start:start + round_size]
        for name, model in models.items():
            began = time.perf_counter()
            for batch in chunk:
                _train_step(model, optimizers[name], batch)
            per_step[name].append((time.perf_counter() - began) / len(chunk))

    lib_ms = 1000 * statistics.median(per_step["lib"])
    nn_ms = 1000 * statistics.median(per_step["nn"])
    return {"lib_ms": lib_ms, "nn_ms": nn_ms, "ratio": lib_ms / nn_ms, "steps": steps,
            "batch_size": batch_size, "threads": torch.get_num_threads(), "config": config}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--dropout", type=float, default=CONFIG["dropout"])
    parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (default 1, as the notebooks)")
    args = parser.parse_args(argv)
    result = measure(steps=args.steps, batch_size=args.batch_size, threads=args.threads, dropout=args.dropout)
    config = ", ".join(f"{k}={v}" for k, v in result["config"].items())
    print(f"config: {config}, batch {result['batch_size']}, {result['threads']} threads, {result['steps']} steps each")
    print(f"lib Transformer  {result['lib_ms']:7.1f} ms/step")
    print(f"nn.Transformer   {result['nn_ms']:7.1f} ms/step")
    print(f"ratio lib / nn   {result['ratio']:7.2f}x   (target <= 1.25x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
