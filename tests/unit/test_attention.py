"""attention.dot_product against torch's scaled_dot_product_attention and a case worked by hand."""

import math

import pytest
import torch

from lstm_helpers import attention


def test_matches_torch_scaled_dot_product_attention():
    gen = torch.Generator().manual_seed(0)
    q, k, v = (torch.randn(2, 3, n, 8, generator=gen) for n in (5, 7, 7))  # (batch, heads, len, d)
    out, weights = attention.dot_product(q, k, v)
    ref = torch.nn.functional.scaled_dot_product_attention(q, k, v)
    torch.testing.assert_close(out, ref)
    torch.testing.assert_close(weights.sum(-1), torch.ones(2, 3, 5))


def test_causal_mask_matches_torch():
    gen = torch.Generator().manual_seed(1)
    q, k, v = (torch.randn(1, 6, 4, generator=gen) for _ in range(3))
    allowed = torch.ones(6, 6, dtype=torch.bool).tril()
    out, weights = attention.dot_product(q, k, v, mask=allowed)
    torch.testing.assert_close(out, torch.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True))
    assert weights.triu(1).abs().max() == 0  # no query looks at a later key


def test_hand_computed_case():
    # one query (1, 0) against keys (1, 0) and (0, 1), d = 2: scores 1/sqrt2 and 0
    q = torch.tensor([[1.0, 0.0]])
    k = torch.tensor([[1.0, 0.0], [0.0, 1.0]])
    v = torch.tensor([[10.0], [20.0]])
    out, weights = attention.dot_product(q, k, v)
    w0 = math.exp(1 / math.sqrt(2)) / (math.exp(1 / math.sqrt(2)) + 1)
    torch.testing.assert_close(weights, torch.tensor([[w0, 1 - w0]]))
    torch.testing.assert_close(out, torch.tensor([[10 * w0 + 20 * (1 - w0)]]))


def test_bad_shapes_name_the_arguments():
    with pytest.raises(ValueError, match="q and k"):
        attention.dot_product(torch.zeros(2, 3), torch.zeros(4, 5), torch.zeros(4, 5))
    with pytest.raises(ValueError, match="v must be"):
        attention.dot_product(torch.zeros(2, 3), torch.zeros(4, 3), torch.zeros(4))
