"""lstm_helpers: the helper package of the LSTM course book.

One module per idea, used by every chapter:
`cells` (RNN and LSTM cells from scratch), `tasks` (data made on the fly), `models`, `train`,
`gradients`, `plots`, `widgets` (interactive figures), `exercises` (checkers) and `checks`
(argument checks, `compare`). Chapter modules hold a chapter's settings and cached runs, shared
by its notebook and its tests: `experiments` (chapters 2-3), `memory` (4-5), `sweeps` (6) and
`applications` (7). Importing the package is cheap: submodules load when a notebook imports them.
"""

__version__ = "0.1.0"
