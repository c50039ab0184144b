"""lstm_helpers: the helper package of the LSTM course book.

One module per idea: `cells` (RNN and LSTM cells from scratch), `tasks` (data made on the fly),
`models`, `train`, `gradients`, `plots`, `widgets`, `exercises`, and `checks` (argument checks,
`compare`). Importing the package is cheap: submodules load when a notebook imports them.
"""

__version__ = "0.1.0"
