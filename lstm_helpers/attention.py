"""Dot-product attention (Luong et al. 2015, scaled as in Vaswani et al. 2017): a weighted mix of values.

    out, weights = attention.dot_product(q, k, v)    # q (..., T, d), k (..., S, d), v (..., S, d_v)

Each query is compared with every key by a dot product divided by sqrt(d); a softmax over the keys
turns the scores into weights that sum to 1; the output is the weighted mean of the values. The
same numbers as `torch.nn.functional.scaled_dot_product_attention`, which does not return the weights.
"""

from __future__ import annotations

import math

import torch


def dot_product(q: torch.Tensor, k: torch.Tensor, v: torch.Tensor,
                mask: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:  # fmt: skip
    """softmax(q k^T / sqrt(d) + mask) v, and the weights: (..., T, d_v), (..., T, S).

    mask: broadcastable to (..., T, S), True where a query may look (or an additive float mask).
    """
    for name, t in (("q", q), ("k", k), ("v", v)):
        if not isinstance(t, torch.Tensor) or t.dim() < 2:
            shape = getattr(t, "shape", t)
            raise ValueError(f"{name} must be a tensor of shape (..., length, features), got {shape}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"q and k must share features and k and v their length, got q {tuple(q.shape)}, "
                         f"k {tuple(k.shape)}, v {tuple(v.shape)}")  # fmt: skip
    scores = q @ k.transpose(-1, -2) / math.sqrt(q.shape[-1])  # (..., T, S)
    if mask is not None:
        scores = scores.masked_fill(~mask, float("-inf")) if mask.dtype == torch.bool else scores + mask
    weights = torch.softmax(scores, dim=-1)  # (..., T, S), each row sums to 1
    return weights @ v, weights
