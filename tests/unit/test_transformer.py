"""transformer: causality, shapes and masks, the key-value cache against the full forward."""

import pytest
import torch

from lstm_helpers import charlm, transformer


def small(**kw):
    torch.manual_seed(0)
    return transformer.CharTransformer(**{"d_model": 16, "n_layers": 2, "n_heads": 2, "d_ff": 32,
                                          "context": 12, **kw}).eval()  # fmt: skip


def test_causal_mask():
    mask = transformer.causal_mask(3)
    assert torch.equal(mask == 0, torch.ones(3, 3, dtype=torch.bool).tril())


def test_shapes():
    logits, state = small()(torch.zeros(3, 10, dtype=torch.long))
    assert logits.shape == (3, 10, charlm.VOCAB_SIZE) and state is None


def test_a_later_input_leaves_earlier_outputs_unchanged():
    model = small()
    x = torch.randint(0, charlm.VOCAB_SIZE, (2, 12), generator=torch.Generator().manual_seed(0))
    changed = x.clone()
    changed[:, 7:] = (changed[:, 7:] + 1) % charlm.VOCAB_SIZE
    before, after = model(x)[0], model(changed)[0]
    torch.testing.assert_close(before[:, :7], after[:, :7])
    assert (before[:, 7:] - after[:, 7:]).abs().max() > 1e-3  # the later outputs do see it


def test_blocks_are_torch_encoder_layers_under_the_causal_mask():
    model = small()
    x = torch.randint(0, charlm.VOCAB_SIZE, (2, 9), generator=torch.Generator().manual_seed(1))
    h = model.embed(x) + model.position.weight[:9]
    for block in model.blocks:
        # the same layer, run as torch documents it, with a boolean mask in place of is_causal
        h = block(h, src_mask=torch.ones(9, 9, dtype=torch.bool).triu(1))
    torch.testing.assert_close(model(x)[0], model.readout(model.norm(h)))


def test_key_value_cache_gives_the_full_forward():
    model = small()
    x = torch.randint(0, charlm.VOCAB_SIZE, (2, 12), generator=torch.Generator().manual_seed(2))
    cache, steps = None, []
    for t in range(12):
        logits, cache = model.step(x[:, t], cache)
        steps.append(logits)
    torch.testing.assert_close(torch.stack(steps, 1), model(x)[0], atol=1e-5, rtol=1e-5)
    assert cache[0][0].shape == (2, 2, 12, 8)  # (batch, heads, positions, d_head)
    with pytest.raises(ValueError, match="context"):
        model.step(x[:, 0], cache)


def test_probs_of_scores_every_character_in_windows():
    model = small()
    text = "def f(x):\n    return (x + 1) * 2\n"
    p = model.probs_of(text)
    assert p.shape == (len(text),) and ((p > 0) & (p < 1)).all()
    ids = charlm.encode("\n" + text)
    # the first window scores its first context characters exactly as one forward pass does
    logp = torch.log_softmax(model(ids[None, :12])[0][0], -1)
    torch.testing.assert_close(torch.from_numpy(p[:12]).float(), logp.gather(-1, ids[1:13, None])[:, 0].exp())


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="d_model"):
        transformer.CharTransformer(d_model=10, n_heads=4)
    with pytest.raises(ValueError, match="seq_len <= 12"):
        small()(torch.zeros(1, 13, dtype=torch.long))
