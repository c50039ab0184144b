"""Argument checks with errors that name the argument and the allowed range, and `compare`.

Every public helper validates its inputs through these functions, so a student who passes
a wrong shape or a negative gap reads what was expected instead of a stack of torch internals.
"""

from __future__ import annotations

import math

import torch


def require_int(name: str, value: object, low: int, high: float = math.inf) -> int:
    """Return `value` if it is an int in [low, high], else raise naming `name` and the range."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        upper = "" if high == math.inf else f" and <= {high}"
        raise ValueError(f"{name} must be >= {low}{upper}, got {value}")
    return value


def require_float(name: str, value: object, low: float, high: float = math.inf) -> float:
    """Return `value` as a float if it is a real number in [low, high], else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number, got {type(value).__name__} {value!r}")
    if not low <= value <= high:
        raise ValueError(f"{name} must lie in [{low}, {high}], got {value}")
    return float(value)


def require_tensor(
    name: str,
    t: object,
    shape: tuple[int | None, ...],
    dtype: torch.dtype | None = None,
) -> torch.Tensor:
    """Check that `t` is a tensor of `shape` (None matches any size) and `dtype`."""
    if not isinstance(t, torch.Tensor):
        raise TypeError(f"{name} must be a torch.Tensor, got {type(t).__name__}")
    want = "(" + ", ".join("*" if s is None else str(s) for s in shape) + ")"
    if t.dim() != len(shape) or any(s is not None and s != n for s, n in zip(shape, t.shape)):
        raise ValueError(f"{name} must have shape {want}, got {tuple(t.shape)}")
    if dtype is not None and t.dtype != dtype:
        raise TypeError(f"{name} must have dtype {dtype}, got {t.dtype}")
    return t


def compare(name: str, ours: torch.Tensor, ref: torch.Tensor) -> float:
    """Print whether `ours` equals `ref` exactly or approximately, and the largest difference."""
    if ours.shape != ref.shape:
        raise ValueError(f"{name}: shape {tuple(ours.shape)} differs from reference {tuple(ref.shape)}")
    diff = (ours.detach() - ref.detach()).abs().max().item() if ours.numel() else 0.0
    exact = bool(torch.equal(ours.detach(), ref.detach()))
    close = bool(torch.allclose(ours.detach(), ref.detach()))
    print(f"{name:<16} exact: {exact!s:<5}  approx: {close!s:<5}  max diff: {diff:.2e}")
    return diff
