"""One module per chapter that runs an experiment, named after what its chapter is about.

Each holds one frozen `Settings` dataclass (every setting its chapter uses, printed by the chapter
and changed with `dataclasses.replace`) and the experiments, cached on that settings value. The
notebook `notebooks/NN-<slug>.ipynb` imports `lstm_helpers.chapters.<slug>`:

- `sequences_and_rnns` (chapter 1), `long_term_dependencies` (2), `vanishing_gradients` (3),
  `memory_cell` (4), `lstm_vs_rnn` (5), `experiments` (6), `applications` (7), `real_text` (8).
"""
