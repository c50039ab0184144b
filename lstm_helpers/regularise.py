"""Regularisers for a character LSTM (chapter 10), each the tested twin of a page's cell.

    mask = variational_mask(batch=32, features=256, p=0.3)     # (32, 1, 256): one mask, every step
    h = locked_dropout(h, p=0.3, training=True)                # h (batch, seq_len, features)
    W = weight_drop(lstm.weight_hh_l0, p=0.5, training=True)   # a dropped copy; the stored weight stays
    model = RegularisedLM(hidden_size=128, dropout=0.3, variational=True, weight_drop=0.5)

- Dropout on the input and output connections (Zaremba et al. 2014): a fresh mask at every step.
- Variational (locked) dropout (Gal and Ghahramani 2016): one mask per sequence, the same at every step.
- Weight-dropped recurrent weights (DropConnect on W_hh, Merity et al. 2018): one mask per window
  on the hidden-to-hidden matrix, so the recurrent connections are regularised without touching h_t.
- Weight decay is the optimiser's (AdamW, Loshchilov and Hutter 2019), not a layer: see `optimiser`.

Tensors are batch-first, as in `lstm_helpers.charlm`. Every mask is scaled by 1 / (1 - p), so the
expected value of each unit is the same in training and in evaluation.
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call

from lstm_helpers.charlm import CharLM
from lstm_helpers.checks import require_float, require_int


def _probability(name: str, p: float) -> float:
    if not isinstance(p, (int, float)) or isinstance(p, bool) or not 0.0 <= p < 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1), got {p!r}")
    return float(p)


def variational_mask(
    batch: int, features: int, p: float, generator: torch.Generator | None = None
) -> torch.Tensor:
    """One dropout mask per sequence, (batch, 1, features): 0 with probability p, else 1 / (1 - p).

    The length-1 time axis broadcasts, so every step of a sequence loses the same units.
    """
    require_int("batch", batch, 1)
    require_int("features", features, 1)
    p = _probability("p", p)
    keep = torch.rand(batch, 1, features, generator=generator) >= p
    return keep.float() / (1.0 - p)


def locked_dropout(x: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    """`x` (batch, seq_len, features) times a `variational_mask`: the same units dropped at every step."""
    p = _probability("p", p)
    if not training or p == 0.0:
        return x
    if x.dim() != 3:
        raise ValueError(f"x must be (batch, seq_len, features), got shape {tuple(x.shape)}")
    return x * variational_mask(x.shape[0], x.shape[2], p).to(x.device, x.dtype)


def weight_drop(weight: torch.Tensor, p: float, training: bool = True) -> torch.Tensor:
    """A copy of `weight` with each entry zeroed with probability p and the rest scaled by 1 / (1 - p)
    (DropConnect). The stored weight is left as it is; gradients flow back to it through the copy."""
    p = _probability("p", p)
    if not training or p == 0.0:
        return weight
    return nn.functional.dropout(weight, p, training=True)


class RegularisedLM(CharLM):
    """Chapter 8's CharLM (an LSTM) with the regularisers and knobs of chapter 10.

    dropout: on the embedded input and on the LSTM's output (between layers too when num_layers = 2);
    variational: one mask per sequence for those (else a fresh mask at every step);
    weight_drop: DropConnect on each layer's hidden-to-hidden weights, one mask per forward call;
    forget_bias: the forget gate's bias at initialisation (None: PyTorch's default);
    num_layers: stacked LSTM layers. With everything off it computes exactly what CharLM computes.
    """

    def __init__(self, hidden_size: int = 128, embed_size: int = 32, dropout: float = 0.0,
                 variational: bool = False, weight_drop: float = 0.0, forget_bias: float | None = None,
                 num_layers: int = 1):  # fmt: skip
        super().__init__("lstm", hidden_size, embed_size)
        self.dropout = _probability("dropout", dropout)
        self.variational = bool(variational)
        self.weight_drop = _probability("weight_drop", weight_drop)
        self.num_layers = require_int("num_layers", num_layers, 1, 4)
        if num_layers > 1:  # a stack of single layers, so dropout can sit between them
            more = [nn.LSTM(hidden_size, hidden_size, batch_first=True) for _ in range(num_layers - 1)]
            self.layers = nn.ModuleList([self.rnn, *more])
        else:
            self.layers = nn.ModuleList([self.rnn])
        if forget_bias is not None:
            require_float("forget_bias", forget_bias, -20.0, 20.0)
            with torch.no_grad():
                for layer in self.layers:  # torch's gate order: input, forget, candidate, output
                    layer.bias_ih_l0[hidden_size : 2 * hidden_size] = forget_bias
                    layer.bias_hh_l0[hidden_size : 2 * hidden_size] = 0.0
        self.config = {"hidden_size": hidden_size, "embed_size": embed_size, "dropout": dropout,
                       "variational": variational, "weight_drop": weight_drop, "forget_bias": forget_bias,
                       "num_layers": num_layers}  # fmt: skip

    def drop(self, x: torch.Tensor) -> torch.Tensor:
        """Dropout on a connection (batch, seq_len, features): locked or fresh at every step."""
        if self.variational:
            return locked_dropout(x, self.dropout, self.training)
        return nn.functional.dropout(x, self.dropout, self.training)

    def forward(self, x: torch.Tensor, state=None):
        if not isinstance(x, torch.Tensor) or x.dim() != 2:
            shape = getattr(x, "shape", x)
            raise ValueError(f"x must be character ids of shape (batch, seq_len), got {shape}")
        h = self.drop(self.embed(x))
        states = [None] * self.num_layers if state is None else list(state)
        for k, layer in enumerate(self.layers):
            if self.training and self.weight_drop > 0:
                dropped = {"weight_hh_l0": weight_drop(layer.weight_hh_l0, self.weight_drop)}
                h, states[k] = functional_call(layer, dropped, (h, states[k]), strict=False)
            else:
                h, states[k] = layer(h, states[k])
            h = self.drop(h)
        return self.readout(h), tuple(states)


def detach(state):
    """A RegularisedLM's state (one (h, c) per layer) with its graph cut: truncated BPTT."""
    return None if state is None else tuple((h.detach(), c.detach()) for h, c in state)


def optimiser(model: nn.Module, lr: float, weight_decay: float = 0.0) -> torch.optim.Optimizer:
    """AdamW with decoupled weight decay (Loshchilov and Hutter 2019); weight_decay = 0 is Adam."""
    require_float("lr", lr, 1e-6, 10.0)
    require_float("weight_decay", weight_decay, 0.0, 10.0)
    return torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=weight_decay)
