"""lstm_helpers.charlm: corpus split, scoring, n-gram, closing brackets, sampling, the shipped models."""

import hashlib
import io
import json
import math
import random
import tokenize
from collections import Counter

import numpy as np
import pytest
import torch

from lstm_helpers import charlm
from lstm_helpers.models import n_params
from lstm_helpers.train import one_thread

# --- the corpus ---------------------------------------------------------------------------------


def test_split_is_the_same_whatever_the_order_names_are_found_in():
    names = [f"module_{k}.py" for k in range(200)]
    shuffled = random.Random(1).sample(names, len(names))
    for split in charlm.SPLITS:
        assert charlm.split_files(names, split) == charlm.split_files(shuffled, split)
    parts = [set(charlm.split_files(names, s)) for s in charlm.SPLITS]
    assert set().union(*parts) == set(names) and sum(map(len, parts)) == len(names)  # a partition


def test_split_follows_the_md5_of_the_name_alone():
    for name in ("os.py", "tokenize.py", "zipfile.py", "a.py"):
        bucket = int(hashlib.md5(name.encode()).hexdigest(), 16) % 10
        assert charlm.split_of(name) == {0: "test", 1: "valid"}.get(bucket, "train")


def test_corpus_splits_are_the_stdlib_files_cleaned():
    names = [p.name for p in charlm.stdlib_dir().glob("*.py")]
    test_files = charlm.split_files(names, "test")
    assert 5 <= len(test_files) <= len(names) // 4
    folder = charlm.stdlib_dir()
    raw = "\n".join((folder / n).read_text(encoding="utf-8", errors="replace") for n in test_files)
    assert charlm.corpus("test") == charlm.clean(raw)
    assert set(charlm.corpus("test")) <= set(charlm.CHARS)
    assert len(charlm.corpus("train")) > 5 * len(charlm.corpus("test"))


def test_clean_and_encode():
    assert charlm.clean("a\tb\u00e9\n") == "a" + charlm.PLACEHOLDER + "b" + charlm.PLACEHOLDER + "\n"
    assert charlm.decode(charlm.encode("def f(x):\n")) == "def f(x):\n"
    assert charlm.VOCAB_SIZE == 97 and len(set(charlm.CHARS)) == 97


def test_bad_arguments_name_the_argument():
    with pytest.raises(ValueError, match="split"):
        charlm.corpus("dev")
    with pytest.raises(ValueError, match="kind"):
        charlm.CharLM("transformer")
    with pytest.raises(ValueError, match="kind"):
        charlm.load_pretrained("transformer")
    with pytest.raises(ValueError, match="n must be"):
        charlm.NGram(9, "abc" * 10)
    with pytest.raises(ValueError, match="temperature"):
        charlm.sample(charlm.CharLM("rnn", 8), "x", 5, temperature=0.0)
    with pytest.raises(TypeError, match="model"):
        charlm.bits_per_char("not a model", "abc")


# --- scoring ------------------------------------------------------------------------------------


def test_bits_per_char_of_a_uniform_model_is_log2_of_the_vocabulary():
    model = charlm.CharLM("lstm", hidden_size=16)
    with torch.no_grad():
        model.readout.weight.zero_()
        model.readout.bias.zero_()
    bpc = charlm.bits_per_char(model, "def f(x):\n    return x\n" * 5)
    assert bpc == pytest.approx(math.log2(97), abs=1e-6)


def test_probs_of_carries_the_state_over_the_whole_text():
    torch.manual_seed(0)
    model = charlm.CharLM("lstm", hidden_size=16).eval()
    snippet = "for k in range(10):\n    print(k)\n"
    # reference: one character at a time, the state passed by hand, starting after a newline
    ids, state, ref = charlm.encode("\n" + snippet), None, []
    with torch.no_grad():
        for t in range(len(snippet)):
            logits, state = model(ids[None, t : t + 1], state)
            ref.append(torch.softmax(logits[0, -1].double(), -1)[ids[t + 1]].item())
    np.testing.assert_allclose(model.probs_of(snippet, streams=1, chunk=7), ref, rtol=1e-5)
    assert model.probs_of(snippet, streams=3).shape == (len(snippet),)


# --- the n-gram ---------------------------------------------------------------------------------


def brute_force_witten_bell(n, train, test):
    """Interpolated Witten-Bell by direct counting: the definition, one position at a time."""
    counts = Counter()
    for m in range(1, n + 1):
        counts.update(train[t - m + 1 : t + 1] for t in range(m - 1, len(train)))
    def p(w, h):
        if h is None:
            return 1 / charlm.VOCAB_SIZE
        lower = p(w, h[1:] if h else None)
        followers = [c for c in charlm.CHARS if counts[h + c] > 0]
        c_h = sum(counts[h + c] for c in followers)
        if c_h == 0:
            return lower
        return (counts[h + w] + len(followers) * lower) / (c_h + len(followers))
    padded = "\n" * (n - 1) + test
    return [p(padded[t + n - 1], padded[t : t + n - 1]) for t in range(len(test))]


@pytest.mark.parametrize("n", [1, 2, 3, 4])
def test_ngram_equals_a_brute_force_count(n):
    train, test = "abracadabra\nabc(a)[b]\ncadabra!", "abracadabra?\nzz(a)"
    ours = charlm.NGram(n, train).probs_of(test)
    np.testing.assert_allclose(ours, brute_force_witten_bell(n, train, test), rtol=1e-12)
    assert ours.shape == (len(test),) and np.all(ours > 0)
    bpc = charlm.ngram_bits_per_char(n, train, test)
    assert bpc == pytest.approx(-np.log2(brute_force_witten_bell(n, train, test)).mean())


def test_every_model_is_scored_through_probs_of():
    ngram = charlm.NGram(3, "the cat sat on the mat\n" * 3)
    probs = ngram.probs_of("the rat")
    assert charlm.bits_per_char(ngram, "the rat") == pytest.approx(-np.log2(probs).mean())
    np.testing.assert_allclose(charlm.closing_probability(ngram, "f(a)").prob, ngram.probs_of("f(a)")[[3]])
    with pytest.raises(TypeError, match="probs_of"):
        charlm.closing_probability(object(), "f(a)")


def test_probs_of_chars_is_probs_of_with_the_character_put_in_its_place():
    # reference: score the text with each candidate written at the position, through probs_of
    torch.manual_seed(0)
    models = [charlm.CharLM("lstm", hidden_size=16).eval(), charlm.NGram(3, SNIPPET * 2)]
    text, chars = "f(a, [b])\n", ")]}'"
    for model in models:
        got = model.probs_of_chars(text, chars)
        assert got.shape == (len(text), len(chars))
        for t in (3, 7, 8):
            ref = [model.probs_of(text[:t] + c + text[t + 1 :])[t] for c in chars]
            np.testing.assert_allclose(got[t], ref, rtol=1e-5)
    probs, of_chars = models[0].read(text, chars)  # one reading gives both
    np.testing.assert_allclose(probs, models[0].probs_of(text), rtol=1e-6)
    np.testing.assert_allclose(of_chars, models[0].probs_of_chars(text, chars), rtol=1e-6)


def test_context_counts_equal_a_direct_count():
    train, text = "abracadabra\nabc(a)[b]\n", "abrz(a)"
    model = charlm.NGram(4, train)
    for order in (1, 2, 3, 4):
        padded = "\n" * 3 + text
        contexts = [padded[t + 3 - (order - 1) : t + 3] for t in range(len(text))]
        ref = [sum(train.startswith(h, k) for k in range(len(train) - len(h))) for h in contexts]
        np.testing.assert_array_equal(model.context_counts(text, order), ref)


def test_ngram_probabilities_sum_to_one():
    model = charlm.NGram(3, "the cat sat on the mat\n" * 3)
    for h in ("th", "at", "zq"):
        total = sum(model.probs_of(h + c)[-1] for c in charlm.CHARS)
        assert total == pytest.approx(1.0, abs=1e-12)


# --- closing brackets and quotes ----------------------------------------------------------------

SNIPPET = '''def f(a, b=[1, (2)]):  # a comment (with brackets] ignored
    s = "x)y" + 'it\\'s'
    return {"k": r"\\d"}
"""doc (string)"""
'''


def test_find_closers_on_a_hand_written_snippet():
    found = charlm.find_closers(SNIPPET)
    spans = [SNIPPET[o : p + 1] for o, p in zip(found.opener, found.position)]  # opener to closer
    assert spans == ["(2)", "[1, (2)]", "(a, b=[1, (2)])", '"x)y"', "'it\\'s'", '"k"', '"\\d"',
                     '{"k": r"\\d"}', '"""doc (string)"']  # fmt: skip
    assert list(found.distance) == [p - o for o, p in zip(found.opener, found.position)]
    assert found.char == [span[-1] for span in spans]


def test_find_closers_agrees_with_pythons_tokenizer():
    source = charlm.clean((charlm.stdlib_dir() / "tokenize.py").read_text())
    lines = np.cumsum([0] + [len(line) for line in source.splitlines(keepends=True)])
    ends, brackets = set(), 0
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        if tok.type == tokenize.STRING:
            quote = 3 if tok.string.endswith(('"""', "'''")) else 1
            ends.add(lines[tok.end[0] - 1] + tok.end[1] - quote)
        brackets += tok.type == tokenize.OP and tok.string in ")]}"
    found = charlm.find_closers(source)
    quotes = {int(p) for p, c in zip(found.position, found.char) if c in "'\""}
    assert quotes == ends
    assert len(found) - len(quotes) == brackets


def test_closing_probability_reads_the_models_probabilities():
    model = charlm.NGram(2, SNIPPET * 3)
    found = charlm.closing_probability(model, SNIPPET)
    np.testing.assert_allclose(found.prob, model.probs_of(SNIPPET)[found.position])


# --- sampling -----------------------------------------------------------------------------------


def test_sample_is_deterministic_per_seed():
    torch.manual_seed(0)
    model = charlm.CharLM("gru", hidden_size=16)
    a = charlm.sample(model, "def ", n_chars=40, temperature=1.0, seed=3)
    assert a == charlm.sample(model, "def ", n_chars=40, temperature=1.0, seed=3)
    assert a.startswith("def ") and len(a) == 44
    assert a != charlm.sample(model, "def ", n_chars=40, temperature=1.0, seed=4)


# --- training and the shipped models ------------------------------------------------------------


@pytest.mark.slow
def test_a_short_training_run_lowers_the_loss():
    train, valid = charlm.corpus("train")[:100_000], charlm.corpus("valid")[:20_000]
    torch.manual_seed(0)
    model = charlm.CharLM("lstm", hidden_size=32, embed_size=8)
    before = charlm.bits_per_char(model, valid)
    cfg = charlm.TrainConfig(steps=60, batch_size=16, seq_len=32, lr=1e-2, eval_every=30)
    with one_thread():
        log = charlm.fit(model, train, valid, cfg, device="cpu")
    assert log["steps"] == [30, 60] and len(log["loss"]) == 60
    assert log["valid_bpc"][-1] < before - 2.0  # from log2(97) = 6.6 to below the uniform's 4.6
    assert np.mean(log["loss"][-10:]) < np.mean(log["loss"][:10]) - 1.0


def test_stream_batches_are_contiguous_per_stream():
    ids = torch.arange(1001)
    batches = charlm.stream_batches(ids, batch_size=4, seq_len=10)
    x0, y0, new0 = next(batches)
    x1, _, new1 = next(batches)
    assert new0 and not new1 and x0.shape == (4, 10)
    assert torch.equal(y0, x0 + 1) and torch.equal(x1[:, 0], x0[:, -1] + 1)  # each row continues
    assert torch.equal(x0[:, 0], torch.arange(4) * 250)


LOG = charlm.WEIGHTS / "charlm-log.json"


@pytest.mark.skipif(not LOG.is_file(), reason="no shipped weights (run make charlm)")
@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_shipped_weights_load_as_the_logged_model(kind):
    model, logged = charlm.load_pretrained(kind), json.loads(LOG.read_text())["models"][kind]
    assert model.kind == kind and model.rnn.hidden_size == logged["hidden_size"]
    assert n_params(model) == logged["params"]
    with one_thread():
        assert charlm.bits_per_char(model, charlm.corpus("valid")[:2000]) < 3.0  # untrained: log2(97) = 6.6


@pytest.mark.slow
@pytest.mark.skipif(not LOG.is_file(), reason="no shipped weights (run make charlm)")
@pytest.mark.parametrize("kind", ["lstm", "rnn"])
def test_shipped_weights_reproduce_the_logged_test_bits_per_char(kind):
    log = json.loads(LOG.read_text())
    if log["corpus"]["hash"] != charlm.corpus_hash():
        pytest.skip(f"corpus differs from the training log's (Python {log['corpus']['python']})")
    model = charlm.load_pretrained(kind)
    assert n_params(model) == log["models"][kind]["params"]
    with one_thread():  # two threads on two busy cores can be ten times slower
        bpc = charlm.bits_per_char(model, charlm.corpus("test"))
    assert bpc == pytest.approx(log["models"][kind]["test_bpc"], abs=0.02)
