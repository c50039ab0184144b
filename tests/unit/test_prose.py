"""prose.claim: a worded sentence fails loudly, naming itself, when its measurement turns."""

import pytest

from lstm_helpers.prose import ClaimError, claim


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
