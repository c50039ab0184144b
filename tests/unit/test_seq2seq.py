"""seq2seq: the reversal task, the encoder-decoder against torch.nn.LSTM, greedy decoding, training."""

import pytest
import torch

from lstm_helpers import seq2seq


def test_reversal_targets_are_the_reversed_source():
    src, y_in, y_out = seq2seq.reversal(4, 6, seed=0)
    assert src.shape == (4, 6) and y_in.shape == y_out.shape == (4, 7)
    assert torch.equal(y_out[:, :-1], src.flip(1)) and (y_out[:, -1] == seq2seq.EOS).all()
    assert torch.equal(y_in[:, 1:], y_out[:, :-1]) and (y_in[:, 0] == seq2seq.BOS).all()
    assert torch.equal(src, seq2seq.reversal(4, 6, seed=0)[0])  # seeded


def test_plain_decoder_starts_from_the_encoders_final_states():
    torch.manual_seed(0)
    model = seq2seq.EncoderDecoder(hidden_size=8, embed_size=4)
    src, y_in, _ = seq2seq.reversal(3, 5, seed=1)
    forward, backward = torch.nn.LSTM(4, 4, batch_first=True), torch.nn.LSTM(4, 4, batch_first=True)
    weights = model.encoder.state_dict()
    forward.load_state_dict({k: v for k, v in weights.items() if k.endswith("_l0")})
    backward.load_state_dict({k.removesuffix("_reverse"): v for k, v in weights.items() if "reverse" in k})
    x = model.embed(src)
    _, (h_f, c_f) = forward(x)
    _, (h_b, c_b) = backward(x.flip(1))  # the backward reading: the source from its last digit
    state = (torch.cat([h_f, h_b], -1), torch.cat([c_f, c_b], -1))  # (1, batch, 8)
    dec = torch.nn.LSTM(4, 8, batch_first=True)
    dec.load_state_dict(model.decoder.state_dict())
    h, _ = dec(model.embed(y_in), state)
    torch.testing.assert_close(model(src, y_in), model.readout(h))


def test_attention_decoder_mixes_encoder_states():
    torch.manual_seed(0)
    model = seq2seq.EncoderDecoder(hidden_size=8, embed_size=4, attention=True)
    src, y_in, _ = seq2seq.reversal(2, 5, seed=1)
    enc, state = model.encode(src)
    h, _ = model.decoder(model.embed(y_in), state)
    context = torch.nn.functional.scaled_dot_product_attention(h @ model.query.weight.T, enc, enc)
    expected = model.readout(torch.tanh(model.combine(torch.cat([context, h], -1))))
    torch.testing.assert_close(model(src, y_in), expected)
    _, _, weights = model.decode(y_in, state, enc)
    assert weights.shape == (2, 6, 5)


@pytest.mark.parametrize("attention", [False, True])
def test_greedy_feeds_back_its_own_choices(attention):
    torch.manual_seed(0)
    model = seq2seq.EncoderDecoder(hidden_size=8, embed_size=4, attention=attention).eval()
    src, _, _ = seq2seq.reversal(3, 4, seed=2)
    tokens, weights = seq2seq.greedy(model, src, 5)
    # teacher forcing on the model's own output gives the same choices: each step saw the ones before
    y_in = torch.cat([torch.full((3, 1), seq2seq.BOS), tokens[:, :-1]], dim=1)
    with torch.no_grad():
        assert torch.equal(model(src, y_in).argmax(-1), tokens)
    assert (weights is None) == (not attention)


@pytest.mark.slow
def test_attention_learns_short_reversals():
    torch.manual_seed(0)
    model = seq2seq.EncoderDecoder(hidden_size=32, embed_size=16, attention=True)
    losses = seq2seq.fit(model, steps=300, lengths=(1, 4), seed=0)
    assert losses[-1] < losses[0] / 5
    assert seq2seq.exact_match(model, 3, n=200) > 0.9


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="length"):
        seq2seq.reversal(2, 0, seed=0)
    with pytest.raises(ValueError, match="lengths"):
        seq2seq.fit(seq2seq.EncoderDecoder(4, 4), steps=1, lengths=(5, 2))
    with pytest.raises(ValueError, match="hidden_size must be even"):
        seq2seq.EncoderDecoder(5, 4)
