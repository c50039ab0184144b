"""A small causal Transformer from torch.nn, and its key-value cache (chapter 9).

    model = transformer.CharTransformer(d_model=96, n_layers=3, n_heads=4, d_ff=256, context=128)
    logits, _ = model(ids)                        # (batch, seq_len, VOCAB_SIZE), causal
    model.probs_of(text)                          # the question every chapter 8 model answers
    logits, cache = model.step(next_id, cache)    # one more character, the past keys and values kept

The blocks are `torch.nn.TransformerEncoderLayer` (pre-norm, GELU, no dropout) under a causal mask:
position t attends to positions 0 ... t only. Positions are learned, one vector for each of the
`context` places of the window; the model reads at most `context` characters. `step` is the same
computation written out for one new position, reading the stored keys and values of the earlier ones
(a key-value cache): tested against the full forward. Tensors are batch-first.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from lstm_helpers.charlm import VOCAB_SIZE, encode
from lstm_helpers.checks import require_int


def causal_mask(T: int) -> torch.Tensor:
    """(T, T) additive mask: 0 where position t may attend to s (s <= t), -inf above the diagonal."""
    require_int("T", T, 1)
    return torch.triu(torch.full((T, T), float("-inf")), diagonal=1)


class CharTransformer(nn.Module):
    """Character ids (batch, seq_len) -> token + position embedding -> causal blocks -> logits.

    forward(x, state=None) returns (logits, None), so that chapter 8's training loop (`charlm.fit`),
    written for recurrent models that pass a state on, trains it unchanged: there is no state.
    """

    kind = "transformer"

    def __init__(self, d_model: int = 96, n_layers: int = 3, n_heads: int = 4, d_ff: int = 256,
                 context: int = 128):  # fmt: skip
        super().__init__()
        require_int("n_heads", n_heads, 1, 64)
        if require_int("d_model", d_model, 1, 4096) % n_heads:
            raise ValueError(f"d_model must be a multiple of n_heads={n_heads}, got {d_model}")
        self.config = {"d_model": d_model, "n_layers": n_layers, "n_heads": n_heads, "d_ff": d_ff,
                       "context": context}  # fmt: skip
        self.context = require_int("context", context, 1, 100_000)
        self.embed = nn.Embedding(VOCAB_SIZE, d_model)
        self.position = nn.Embedding(context, d_model)
        self.blocks = nn.ModuleList(
            nn.TransformerEncoderLayer(d_model, n_heads, require_int("d_ff", d_ff, 1, 65_536), dropout=0.0,
                                       activation="gelu", batch_first=True, norm_first=True)  # fmt: skip
            for _ in range(require_int("n_layers", n_layers, 1, 64))
        )
        self.norm = nn.LayerNorm(d_model)
        self.readout = nn.Linear(d_model, VOCAB_SIZE)

    def forward(self, x: torch.Tensor, state=None):
        if not isinstance(x, torch.Tensor) or x.dim() != 2 or x.shape[1] > self.context:
            shape = tuple(getattr(x, "shape", ()))
            raise ValueError(f"x must be character ids (batch, seq_len <= {self.context}), got {shape}")
        T = x.shape[1]
        h = self.embed(x) + self.position(torch.arange(T, device=x.device))  # (batch, T, d)
        mask = causal_mask(T).to(x.device)
        for block in self.blocks:
            h = block(h, src_mask=mask, is_causal=True)
        return self.readout(self.norm(h)), None

    @torch.no_grad()
    def step(self, x_t: torch.Tensor, cache: list | None = None):
        """Logits for one new character per row, x_t (batch,), given the cache of the earlier ones.

        cache: per block, the keys and values of every earlier position, (batch, heads, t, d_head)
        each; None at the start. Returns (logits (batch, VOCAB_SIZE), the cache with this position).
        """
        cache = [None] * len(self.blocks) if cache is None else cache
        t = 0 if cache[0] is None else cache[0][0].shape[2]
        if t >= self.context:
            raise ValueError(f"the cache holds {t} positions: the model reads at most context={self.context}")
        h = self.embed(x_t) + self.position.weight[t]  # (batch, d)
        new = []
        for block, kv in zip(self.blocks, cache):
            attn, kv = _cached_attention(block, block.norm1(h), kv)
            h = h + attn
            h = h + block.linear2(block.activation(block.linear1(block.norm2(h))))
            new.append(kv)
        return self.readout(self.norm(h)), new

    @torch.no_grad()
    def probs_of(self, text: str, batch: int = 64) -> np.ndarray:
        """The probability of each character of `text`, (len(text),), read in windows of `context`.

        Windows start every context // 2 characters; each scores its second half (the first window
        all of it), so every character but the first few is predicted from at least context // 2
        and at most context - 1 characters before it. The first is predicted after a newline.
        """
        ids = encode(text)
        if len(ids) == 0:
            raise ValueError("text must hold at least one character, got an empty string")
        inputs = torch.cat([encode("\n"), ids])  # inputs[t] is the character before target t
        C, half = self.context, self.context // 2
        starts = list(range(0, max(len(ids) - C, 0) + half, half))
        self.eval()
        out = np.empty(len(ids))
        for k in range(0, len(starts), batch):
            group = starts[k : k + batch]
            ends = [min(s + C, len(ids)) for s in group]
            x = torch.stack([_pad(inputs[s:e], C) for s, e in zip(group, ends)])  # (b, C)
            logp = torch.log_softmax(self(x)[0], dim=-1)  # (b, C, V)
            for row, (s, e) in enumerate(zip(group, ends)):
                first = 0 if s == 0 else half
                y = ids[s + first : e]
                out[s + first : e] = logp[row, first : e - s].gather(-1, y[:, None])[:, 0].exp().numpy()
        return out


def _pad(ids: torch.Tensor, length: int) -> torch.Tensor:
    return torch.cat([ids, ids.new_zeros(length - len(ids))])


def _cached_attention(block: nn.TransformerEncoderLayer, x: torch.Tensor, kv):
    """Multi-head self-attention of one new position x (batch, d) over the cached keys and values."""
    sa = block.self_attn
    heads, d = sa.num_heads, x.shape[-1]
    q, k, v = (x @ sa.in_proj_weight.T + sa.in_proj_bias).split(d, dim=-1)  # (batch, d) each
    q, k, v = (z.view(len(x), heads, 1, d // heads) for z in (q, k, v))  # (batch, heads, 1, d_head)
    if kv is not None:
        k, v = torch.cat([kv[0], k], dim=2), torch.cat([kv[1], v], dim=2)  # (batch, heads, t + 1, d_head)
    w = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(d // heads), dim=-1)  # (batch, heads, 1, t + 1)
    out = (w @ v).reshape(len(x), d)  # (batch, d)
    return sa.out_proj(out), (k, v)


def load(path) -> CharTransformer:
    """A CharTransformer saved as {"config": ..., "state_dict": ...}, on the CPU, in eval mode."""
    saved = torch.load(path, map_location="cpu", weights_only=True)
    model = CharTransformer(**saved["config"])
    model.load_state_dict(saved["state_dict"])
    return model.eval()
