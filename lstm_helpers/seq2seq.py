"""Sequence to sequence (Sutskever et al. 2014), with or without attention (Luong et al. 2015).

    src, y_in, y_out = seq2seq.reversal(batch=64, length=8, seed=0)   # digits, and their reverse
    model = seq2seq.EncoderDecoder(hidden_size=64, attention=True)
    seq2seq.fit(model, steps=1500, lengths=(1, 12), seed=0)          # teacher forcing
    seq2seq.exact_match(model, length=12)                             # greedy decoding, whole answers

The task: read a string of digits, write it backwards, then an end mark. A bidirectional LSTM encoder
reads the source from both ends (half the units each way, as in Bahdanau et al.); its two final
states, side by side, start an LSTM decoder. Without attention that state is all the decoder ever
learns of the source; with attention each decoder step also reads a weighted mix of every encoder
state (dot-product attention), and the mix and its own state give the next symbol. Training feeds the
decoder the right previous symbol (teacher forcing); decoding feeds it its own choice (greedy).
Tensors are batch-first: ids (batch, length), states (batch, length, hidden_size).
"""

from __future__ import annotations

import torch
from torch import nn

from lstm_helpers import attention as attn
from lstm_helpers.checks import require_int
from lstm_helpers.train import TEST_SEED_OFFSET, update

PAD, BOS, EOS = 0, 1, 2  # PAD is never produced by `reversal`; the embedding keeps it for other tasks
DIGITS = 10
VOCAB_SIZE = 3 + DIGITS  # digit d is token 3 + d


def reversal(batch: int, length: int, seed: int | torch.Generator) -> tuple[torch.Tensor, ...]:
    """`batch` random digit strings of `length` and their reverse, from `seed`.

    Returns src (batch, length); y_in = BOS + reversed (what the decoder reads under teacher
    forcing) and y_out = reversed + EOS (what it must write), both (batch, length + 1).
    """
    require_int("batch", batch, 1)
    require_int("length", length, 1, 10_000)
    if not isinstance(seed, torch.Generator):
        seed = torch.Generator().manual_seed(require_int("seed", seed, 0))
    gen = seed
    src = 3 + torch.randint(0, DIGITS, (batch, length), generator=gen)  # (batch, length)
    rev = src.flip(1)
    y_in = torch.cat([torch.full((batch, 1), BOS), rev], dim=1)  # (batch, length + 1)
    y_out = torch.cat([rev, torch.full((batch, 1), EOS)], dim=1)
    return src, y_in, y_out


class EncoderDecoder(nn.Module):
    """A bidirectional LSTM encoder and an LSTM decoder that starts from the encoder's final states.

    With attention=True each decoder output h_t is combined with the context c_t, the attention-weighted
    mean of the encoder states: h~_t = tanh(W_c [c_t; h_t]) (Luong et al. 2015, eq. 5), then read out.
    """

    def __init__(self, hidden_size: int = 64, embed_size: int = 16, attention: bool = False):
        super().__init__()
        self.hidden_size = require_int("hidden_size", hidden_size, 1, 4096)
        self.attention = bool(attention)
        self.embed = nn.Embedding(VOCAB_SIZE, require_int("embed_size", embed_size, 1, 4096))
        if hidden_size % 2:
            raise ValueError(f"hidden_size must be even (half for each reading direction), got {hidden_size}")
        self.encoder = nn.LSTM(embed_size, hidden_size // 2, batch_first=True, bidirectional=True)
        self.decoder = nn.LSTM(embed_size, hidden_size, batch_first=True)
        self.query = nn.Linear(hidden_size, hidden_size, bias=False) if attention else None
        self.combine = nn.Linear(2 * hidden_size, hidden_size) if attention else None
        self.readout = nn.Linear(hidden_size, VOCAB_SIZE)

    def encode(self, src: torch.Tensor):
        """Encoder states (batch, S, H) and the final (h, c) that starts the decoder: each is the
        forward reading's last state next to the backward reading's, (1, batch, H)."""
        enc, (h, c) = self.encoder(self.embed(src))  # h, c: (2, batch, H / 2), one per direction
        return enc, (torch.cat([h[0], h[1]], -1)[None], torch.cat([c[0], c[1]], -1)[None])

    def decode(self, y_in: torch.Tensor, state, enc: torch.Tensor):
        """Logits (batch, T, VOCAB_SIZE) for decoder inputs y_in (batch, T) from `state`; the new state;
        the attention weights (batch, T, S), or None without attention."""
        h, state = self.decoder(self.embed(y_in), state)  # (batch, T, H)
        weights = None
        if self.attention:
            context, weights = attn.dot_product(self.query(h), enc, enc)  # (batch, T, H), (batch, T, S)
            h = torch.tanh(self.combine(torch.cat([context, h], dim=-1)))
        return self.readout(h), state, weights

    def forward(self, src: torch.Tensor, y_in: torch.Tensor) -> torch.Tensor:
        """Teacher forcing: logits (batch, T, VOCAB_SIZE) for every target step at once."""
        enc, state = self.encode(src)
        return self.decode(y_in, state, enc)[0]


def loss(model: EncoderDecoder, src: torch.Tensor, y_in: torch.Tensor, y_out: torch.Tensor) -> torch.Tensor:
    """Mean cross-entropy of the right symbols under teacher forcing (nats per symbol)."""
    logits = model(src, y_in)  # (batch, T, V)
    return nn.functional.cross_entropy(logits.reshape(-1, VOCAB_SIZE), y_out.reshape(-1))


@torch.no_grad()
def greedy(model: EncoderDecoder, src: torch.Tensor, steps: int) -> tuple[torch.Tensor, torch.Tensor | None]:
    """Greedy decoding: `steps` symbols (batch, steps), each the most likely given the ones before,
    and the attention weights of every step (batch, steps, S), or None without attention."""
    require_int("steps", steps, 1)
    enc, state = model.encode(src)
    y = torch.full((len(src), 1), BOS)  # (batch, 1)
    out, weights = [], []
    for _ in range(steps):
        logits, state, w = model.decode(y, state, enc)  # (batch, 1, V)
        y = logits.argmax(-1)  # (batch, 1) the decoder's own choice is its next input
        out.append(y)
        weights.append(w)
    return torch.cat(out, dim=1), (torch.cat(weights, dim=1) if model.attention else None)


def fit(model: EncoderDecoder, steps: int, lengths: tuple[int, int], seed: int = 0, batch: int = 64,
        lr: float = 1e-2, clip: float = 1.0) -> list[float]:  # fmt: skip
    """Train with teacher forcing, each step on a fresh batch of one length drawn from
    lengths[0] ... lengths[1]; Adam, gradient clipping. Returns the loss per step."""
    require_int("steps", steps, 1)
    lo, hi = require_int("lengths[0]", lengths[0], 1), require_int("lengths[1]", lengths[1], lengths[0])
    gen = torch.Generator().manual_seed(require_int("seed", seed, 0))
    torch.manual_seed(seed)
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    model.train()
    for _ in range(steps):
        length = int(torch.randint(lo, hi + 1, (1,), generator=gen))
        losses.append(update(model, opt, loss(model, *reversal(batch, length, gen)), clip))
    return losses


@torch.no_grad()
def exact_match(model: EncoderDecoder, length: int, n: int = 500, seed: int = 0) -> float:
    """The fraction of `n` unseen sources of `length` whose whole reverse and end mark the model
    writes right, decoding greedily."""
    src, _, y_out = reversal(require_int("n", n, 1), length, seed + TEST_SEED_OFFSET)
    model.eval()
    tokens, _ = greedy(model, src, length + 1)
    return (tokens == y_out).all(dim=1).float().mean().item()
