"""lstm_helpers: the helper package of the LSTM course book.

One module per idea, used by every chapter:
`cells` (RNN and LSTM cells from scratch), `tasks` (data made on the fly), `models`, `train`,
`gradients`, `plots`, `widgets` (interactive figures), `exercises` (checkers), `checks`
(argument checks, `compare`), `prose` (`glue`, `claim`) and `charlm` (chapter 8's character language
model: its corpus, models and scores).
`lstm_helpers.chapters` holds one module per chapter with an experiment, named after its chapter,
with its settings (one frozen dataclass) and cached runs, shared by its notebook and its tests.
Importing the package is cheap: submodules load when a notebook imports them.
"""

__version__ = "0.1.0"
