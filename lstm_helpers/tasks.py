"""Sequence tasks made on the fly from a seed: same seed, same data.

Three tasks, each a function that returns a `SequenceData` and a `Task` maker for `train.fit`:

- `fluent_sentences(n, gap, seed)`: "i grew up in india <gap filler words> i speak fluent ___";
  the target is the language (hindi). The **gap** is the number of filler words between the clue
  (the country) and "i speak fluent". The network answers after reading the last word ("fluent"), so
  the clue is read gap + 3 steps before the answer: that distance is the **lag** (`info["lag"]`).
- `sky_sentences(n, seed)`: "the color of the sky is ___" style sentences; the clue ("sky") is the
  second-to-last word, followed only by "is".
- `adding_problem(n, T, seed)`: Hochreiter & Schmidhuber (1997), experiment 4 (the adding problem).

Shapes are time-first, as `torch.nn.LSTM`: token ids are (seq_len, n), real inputs (seq_len, n, 2).
For `train.fit`, `fluent(gap)`, `sky()` and `adding(T)` return a `Task`: a data maker plus the rule
that says when the task counts as solved.

Where the clue is comes from the data, never from a literal: word tasks set `data.info["clue"]`
(the clue's position), `data.info["lag"]` (steps from the clue to the last word, where the network
answers: gap + 3 for the fluent task, 1 for the sky task) and, for the
fluent task, `data.info["fillers"]` (a slice over the filler words).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from typing import Callable

import torch

from lstm_helpers.checks import require_float, require_int

# the course notes' example comes first: "I grew up in India ... I speak fluent Hindi"
COUNTRIES = ("india", "france", "spain", "germany", "italy", "japan", "china", "brazil")
LANGUAGES = ("hindi", "french", "spanish", "german", "italian", "japanese", "chinese", "portuguese")
HEAD = "i grew up in"  # the words before the country
TAIL = "i speak fluent"  # the words between the fillers and the blank
FILLERS = (
    "and",
    "then",
    "we",
    "moved",
    "to",
    "a",
    "small",
    "town",
    "near",
    "the",
    "river",
    "where",
    "my",
    "family",
    "lived",
    "for",
    "many",
    "years",
    "so",
    "now",
    "it",
    "was",
    "very",
    "quiet",
    "every",
    "summer",
    "with",
    "friends",
    "who",
    "still",
    "write",
    "often",
    "about",
    "old",
    "days",
)
SKY = (  # (subject, answer): the subject is the clue, followed only by "is" and the blank
    ("sky", "blue"),
    ("grass", "green"),
    ("snow", "white"),
    ("coal", "black"),
    ("sun", "yellow"),
    ("blood", "red"),
    ("orange", "orange"),
    ("violet", "purple"),
)


class Vocab:
    """Words <-> integer ids, so a notebook can print the sentences a model reads."""

    def __init__(self, words: list[str]):
        self.words = list(dict.fromkeys(words))  # unique, in first-seen order
        self.index = {w: k for k, w in enumerate(self.words)}

    def __len__(self) -> int:
        return len(self.words)

    def encode(self, sentence: str | list[str]) -> torch.Tensor:
        """Ids of the words of `sentence` (a string split on spaces, or a list of words)."""
        words = sentence.split() if isinstance(sentence, str) else sentence
        unknown = [w for w in words if w not in self.index]
        if unknown:
            raise ValueError(f"sentence has words outside the vocabulary: {unknown}")
        return torch.tensor([self.index[w] for w in words])  # (len,)

    def decode(self, ids: torch.Tensor | list[int]) -> str:
        """The sentence that a 1-d tensor (or list) of ids spells."""
        return " ".join(self.words[int(k)] for k in ids)


@dataclass
class SequenceData:
    """A set of n sequences with targets, time-first.

    x: (seq_len, n) token ids, or (seq_len, n, input_size) real inputs.
    y: (n,) class ids (`target == "class"`) or real values (`target == "value"`).
    lengths: (n,) true lengths when sequences differ in length (padded at the end), else None.
    vocab / labels: token and class vocabularies for word tasks, to print sentences.
    """

    x: torch.Tensor
    y: torch.Tensor
    target: str
    lengths: torch.Tensor | None = None
    vocab: Vocab | None = None
    labels: Vocab | None = None
    info: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return self.y.shape[0]

    def sentence(self, k: int) -> str:
        """Sequence k as words, with its answer: "i grew up in spain ... i speak fluent -> spanish"."""
        require_int("k", k, 0, len(self) - 1)
        if self.vocab is None or self.labels is None:
            raise ValueError("sentence() needs a word task (fluent_sentences or sky_sentences)")
        return f"{self.vocab.decode(self.x[:, k])} -> {self.labels.words[int(self.y[k])]}"


def _generator(seed: int | torch.Generator) -> torch.Generator:
    if isinstance(seed, torch.Generator):
        return seed
    return torch.Generator().manual_seed(require_int("seed", seed, 0))


def fluent_vocab(n_countries: int = 4, n_fillers: int = 20, head: str = HEAD) -> tuple[Vocab, Vocab]:
    """(words, languages) vocabularies of the fluent task: head and tail words, countries, fillers."""
    require_int("n_countries", n_countries, 2, len(COUNTRIES))
    require_int("n_fillers", n_fillers, 1, len(FILLERS))
    clash = set(head.split()) & set(COUNTRIES + FILLERS[:n_fillers])
    if clash:
        raise ValueError(f"head must not use country or filler words, got {sorted(clash)} in {head!r}")
    words = Vocab(head.split() + TAIL.split() + list(COUNTRIES[:n_countries]) + list(FILLERS[:n_fillers]))
    return words, Vocab(list(LANGUAGES[:n_countries]))


def fluent_sentences(
    n: int,
    gap: int,
    seed: int | torch.Generator,
    n_countries: int = 4,
    n_fillers: int = 20,
    head: str = HEAD,
    country: str | None = None,
) -> SequenceData:
    """n sentences "<head> <country> <gap fillers> i speak fluent"; target: the language.

    Fillers are drawn uniformly with replacement, so only the country word tells the answer.
    country: None draws each sentence's country at random (chance accuracy 1 / n_countries);
    a name ("india") fixes it, for the running example. `info` says where everything is:
    "clue" (the country's position), "fillers" (a slice), "lag" (steps from clue to last word).
    """
    require_int("n", n, 1)
    require_int("gap", gap, 0)
    words, labels = fluent_vocab(n_countries, n_fillers, head)
    gen = _generator(seed)
    y = torch.randint(n_countries, (n,), generator=gen)  # (n,) language = country index
    if country is not None:
        if country not in COUNTRIES[:n_countries]:
            raise ValueError(f"country must be one of {COUNTRIES[:n_countries]}, got {country!r}")
        y = torch.full((n,), COUNTRIES.index(country))
    first_country, first_filler = words.index[COUNTRIES[0]], words.index[FILLERS[0]]
    fillers = torch.randint(first_filler, first_filler + n_fillers, (gap, n), generator=gen)  # (gap, n)
    before = words.encode(head)[:, None].expand(-1, n)  # (len(head), n)
    after = words.encode(TAIL)[:, None].expand(-1, n)  # (3, n)
    x = torch.cat([before, (y + first_country)[None], fillers, after])  # (len(head) + gap + 4, n)
    clue = before.shape[0]
    fillers_at = slice(clue + 1, clue + 1 + gap)
    info = {"gap": gap, "clue": clue, "fillers": fillers_at, "lag": x.shape[0] - 1 - clue}
    return SequenceData(x=x, y=y, target="class", vocab=words, labels=labels, info=info)


def sky_sentences(n: int, seed: int | torch.Generator) -> SequenceData:
    """n sentences "the color of the <thing> is"; target: its colour. The clue is one word before the end."""
    require_int("n", n, 1)
    things = [s for s, _ in SKY]
    words = Vocab("the color of is".split() + things)
    labels = Vocab([c for _, c in SKY])
    gen = _generator(seed)
    k = torch.randint(len(SKY), (n,), generator=gen)  # (n,) which thing
    y = torch.tensor([labels.index[SKY[j][1]] for j in k.tolist()])  # (n,)
    head = words.encode("the color of the")[:, None].expand(4, n)  # (4, n)
    thing = torch.tensor([words.index[things[j]] for j in k.tolist()])  # (n,)
    is_ = words.encode("is")[:, None].expand(1, n)  # (1, n)
    x = torch.cat([head, thing[None], is_])  # (6, n)
    info = {"clue": head.shape[0], "lag": x.shape[0] - 1 - head.shape[0]}
    return SequenceData(x=x, y=y, target="class", vocab=words, labels=labels, info=info)


def adding_problem(n: int, T: int, seed: int | torch.Generator, vary_length: bool = True) -> SequenceData:
    """n sequences of the adding problem, as in Hochreiter & Schmidhuber (1997), experiment 4.

    Each element is a pair (value, marker). Choices, following the paper's text:
    - value: uniform in [-1, 1];
    - length: uniform integer in [T, T + T // 10] ("random lengths between T and T + T/10"),
      padded with zeros at the end; `lengths` holds the true lengths. vary_length=False: all T;
    - X1: one of the first 10 pairs, marker 1.0 (for T < 22: one of the first T // 2 - 1);
    - X2: one of the first T // 2 - 1 pairs still unmarked (so it never equals X1), marker 1.0;
    - marker -1.0 at the first and the last pair unless marked; 0.0 everywhere else;
    - when the first pair is marked, its value is set to 0 (the paper: "in the rare case where the
      first pair of the sequence gets marked, we set X1 to zero"; here X2 may be that pair too);
    - target 0.5 + (X1 + X2) / 4, the sum scaled into [0, 1]. Right when |error| < 0.04.
    """
    require_int("n", n, 1)
    require_int("T (two markers need room in the first half)", T, 4)
    gen = _generator(seed)
    half = T // 2 - 1  # X2 is one of the first `half` unmarked pairs
    n_extra = T // 10 if vary_length else 0
    lengths = T + torch.randint(n_extra + 1, (n,), generator=gen)  # (n,)
    value = torch.rand(T + n_extra, n, generator=gen) * 2 - 1  # (T_max, n) in [-1, 1]
    p1 = torch.randint(min(10, half), (n,), generator=gen)  # (n,) position of X1
    r = torch.randint(half, (n,), generator=gen)  # (n,) rank of X2 among unmarked pairs
    p2 = r + (r >= p1).long()  # skip X1's position
    cols = torch.arange(n)
    steps = torch.arange(T + n_extra)[:, None]  # (T_max, 1)
    marker = torch.zeros(T + n_extra, n)  # (T_max, n)
    marker[0] = -1.0
    marker[lengths - 1, cols] = -1.0
    marker[p1, cols] = 1.0
    marker[p2, cols] = 1.0
    value[0] = torch.where(marker[0] == 1.0, 0.0, value[0])  # a marked first pair counts as zero
    pad = (steps >= lengths).unsqueeze(-1)  # (T_max, n, 1) True after a sequence's end
    x = torch.stack([value, marker], dim=-1).masked_fill(pad, 0.0)  # (T_max, n, 2)
    y = 0.5 + (value[p1, cols] + value[p2, cols]) / 4  # (n,)
    return SequenceData(x=x, y=y, target="value", lengths=lengths, info={"T": T, "p1": p1, "p2": p2})


@dataclass(frozen=True)
class Task:
    """What `train.fit` needs: `make(n, seed)` -> SequenceData, and when the task counts as solved.

    Classification is solved when test accuracy >= `solved_accuracy`; regression when at most
    `max_wrong` of the test sequences have |error| >= `tolerance`.
    """

    name: str
    maker: Callable[..., SequenceData]  # called as maker(n=..., seed=...)
    target: str
    solved_accuracy: float = 0.99
    tolerance: float = 0.04
    max_wrong: float = 0.01
    n_test: int = 512

    def make(self, n: int, seed: int | torch.Generator) -> SequenceData:
        """n sequences of this task; the same seed gives the same data."""
        return self.maker(n=n, seed=seed)


def fluent(gap: int, n_countries: int = 4, n_fillers: int = 20) -> Task:
    """The fluent ___ task with `gap` filler words, solved at 99% test accuracy."""
    require_int("gap", gap, 0)
    make = partial(fluent_sentences, gap=gap, n_countries=n_countries, n_fillers=n_fillers)
    return Task(name=f"fluent gap={gap}", maker=make, target="class")


def sky() -> Task:
    """The short-context "the color of the sky is ___" task, solved at 99% test accuracy."""
    return Task(name="sky", maker=sky_sentences, target="class")


def adding(T: int = 100, vary_length: bool = True, max_wrong: float = 0.01) -> Task:
    """The adding problem; solved when at most a fraction `max_wrong` of 2560 test sequences have
    |error| >= 0.04 (0.01 by default; the paper's precision is about 3 / 2560)."""
    require_int("T (two markers need room in the first half)", T, 4)
    require_float("max_wrong (a fraction of the test sequences)", max_wrong, 0.0, 1.0)
    make = partial(adding_problem, T=T, vary_length=vary_length)
    return Task(name=f"adding T={T}", maker=make, target="value", n_test=2560, max_wrong=max_wrong)


def vocab_sizes(data: SequenceData) -> dict[str, int]:
    """{"vocab_size", "n_classes"} of a word task, to build a model: Model(**vocab_sizes(data))."""
    if data.vocab is None or data.labels is None:
        raise ValueError("vocab_sizes needs a word task (fluent_sentences or sky_sentences)")
    return {"vocab_size": len(data.vocab), "n_classes": len(data.labels)}
