"""prose.claim: a worded sentence fails loudly, naming itself, when its measurement turns;
prose.seconds: a duration written by its size."""

import pytest

from lstm_helpers.prose import ClaimError, claim, seconds


def test_a_true_claim_passes_silently():
    assert claim(0.7 > 0.35, "the unit's own country is highest") is None


def test_a_false_claim_names_the_sentence_and_the_measurement():
    with pytest.raises(ClaimError, match=r"'accuracy falls as the gap grows'.*\nmeasured: \[0.9, 0.95\]"):
        claim(0.95 < 0.9, "accuracy falls as the gap grows", measured=[0.9, 0.95])


def test_a_claim_is_an_assertion_error():
    with pytest.raises(AssertionError):
        claim(False, "never above chance")


def test_an_empty_sentence_is_refused():
    with pytest.raises(ValueError, match="sentence"):
        claim(True, "  ")


@pytest.mark.parametrize(
    "value, text",
    [(0, "under 0.1 s"), (0.0042, "under 0.1 s"), (0.1, "0.1 s"), (0.44, "0.4 s"), (9.94, "9.9 s"),
     (9.96, "10 s"), (12.3, "12 s"), (119.4, "119 s"), (119.6, "2.0 min"), (210, "3.5 min")],
)  # fmt: skip
def test_seconds_rounds_a_duration_by_its_size(value, text):
    assert seconds(value) == text


@pytest.mark.parametrize("value", [-0.5, float("nan"), float("inf"), "3", True])
def test_seconds_refuses_what_is_not_a_duration(value):
    with pytest.raises(ValueError, match="value: a duration in seconds"):
        seconds(value)


def test_glue_stores_the_formatted_text_and_returns_the_value(monkeypatch):
    myst_nb = pytest.importorskip("myst_nb")  # the book's build tool; not in make compat's environments

    from lstm_helpers.prose import glue

    stored = {}
    monkeypatch.setattr(myst_nb, "glue", lambda name, value, display: stored.update({name: value}))
    assert glue("n_chars", 4_214_321, ",d") == 4_214_321
    assert glue("bpc", 1.6149, ".2f") == 1.6149 and glue("raw", 0.5) == 0.5
    assert stored == {"n_chars": "4,214,321", "bpc": "1.61", "raw": 0.5}
    with pytest.raises(ValueError):
        glue("bad", 1.5, ",d")  # a spec that does not fit the value fails where the cell runs
