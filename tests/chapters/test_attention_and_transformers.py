"""Chapter 9: the page's own encoder-decoder, attention and causality cells against the package and
torch; the chapter's shipped models and measurements."""

import math
from dataclasses import replace

import pytest
import torch
import torch.nn.functional as F
from helpers_repo import ROOT, run_tagged

from lstm_helpers import attention, charlm, models, seq2seq
from lstm_helpers.chapters import attention_and_transformers as chapter
from lstm_helpers.checks import compare

NOTEBOOK = ROOT / "notebooks" / "09-attention-and-transformers.ipynb"


@pytest.fixture(scope="module")
def page():
    torch.manual_seed(0)
    src, y_in, y_out = seq2seq.reversal(3, 6, seed=0)
    namespace = {"torch": torch, "F": F, "math": math, "seq2seq": seq2seq, "attention": attention,
                 "charlm": charlm, "chapter": chapter, "settings": chapter.SETTINGS, "compare": compare,
                 "src": src, "y_in": y_in, "y_out": y_out,
                 "race": {"transformer": chapter.race_model("transformer")}}  # fmt: skip
    return run_tagged(NOTEBOOK, "from-scratch", namespace)


@pytest.mark.parametrize("attention_on", [False, True])
def test_page_teacher_forcing_and_greedy_match_the_package(page, attention_on):
    torch.manual_seed(3)
    model = chapter.seq2seq_model(attention_on)
    src, y_in, y_out = seq2seq.reversal(5, 7, seed=4)
    torch.testing.assert_close(page["teacher_forcing_loss"](model, src, y_in, y_out),
                               seq2seq.loss(model, src, y_in, y_out))  # fmt: skip
    assert torch.equal(page["greedy_decode"](model, src, 8), seq2seq.greedy(model, src, 8)[0])


def test_page_attention_matches_torch_with_and_without_a_mask(page):
    gen = torch.Generator().manual_seed(5)
    q, k, v = (torch.randn(3, n, 16, generator=gen) for n in (4, 9, 9))
    out, weights = page["dot_product_attention"](q, k, v)
    torch.testing.assert_close(out, F.scaled_dot_product_attention(q, k, v))
    torch.testing.assert_close(weights.sum(-1), torch.ones(3, 4))


def test_page_causality_check_sees_no_change_before_the_edit(page):
    assert torch.equal(page["before"][0, :12], page["after"][0, :12])
    assert not torch.allclose(page["before"][0, 12:], page["after"][0, 12:])


def test_race_models_have_equal_parameters():
    sizes = [models.n_params(chapter.race_model(kind)) for kind in ("transformer", "lstm")]
    assert abs(sizes[0] - sizes[1]) < 0.01 * sizes[1]
    with pytest.raises(ValueError, match="kind"):
        chapter.race_model("gru")


def test_step_costs_count_what_each_model_keeps():
    s = replace(chapter.SETTINGS, cost_contexts=(3, 6), cost_repeats=1)
    lstm, tf = chapter.race_model("lstm"), chapter.race_model("transformer").eval()
    costs = chapter.step_costs(lstm, tf, s)
    d, blocks = tf.config["d_model"], tf.config["n_layers"]
    assert list(costs["lstm_floats"]) == [2 * 256, 2 * 256]  # h and c
    assert list(costs["cache_floats"]) == [2 * blocks * n * d for n in (3, 6)]  # keys, values of n
    assert (costs["lstm"] > 0).all() and (costs["cache"] > 0).all()


def test_shipped_attention_models_reverse_sources_they_were_trained_on():
    for seed in chapter.SETTINGS.s2s_seeds:
        model = chapter.shipped_seq2seq(True, seed)
        assert seq2seq.exact_match(model, 6, n=200) > 0.9


@pytest.mark.slow
def test_shipped_race_models_score_as_logged():
    log = chapter.race_log()
    text = charlm.corpus("test")[:20_000]
    for kind, model in chapter.race_models().items():
        assert models.n_params(model) == log["models"][kind]["params"]
        assert charlm.bits_per_char(model, text) < math.log2(charlm.VOCAB_SIZE)  # better than uniform


def test_reversal_stream_predicts_the_next_token_and_marks_the_answer():
    x, y, answer = chapter.reversal_stream(2, 4, seed=0)
    _, _, y_out = seq2seq.reversal(2, 4, seed=0)
    assert torch.equal(y[:, :-1], x[:, 1:])  # y is x shifted by one
    assert torch.equal(y[:, answer], y_out) and int(answer.sum()) == 5  # the reverse and the end mark


def test_shipped_reversal_transformers_reverse_sources_they_were_trained_on():
    for seed in chapter.SETTINGS.s2s_seeds:
        model = chapter.shipped_reversal_transformer(seed)
        assert chapter.transformer_exact_match(model, 4, n=200) > 0.9
