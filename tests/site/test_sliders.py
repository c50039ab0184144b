"""The interactive figures of chapters 2-4 work in the built site: frames and a range input."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup
from helpers_repo import HTML

from lstm_helpers.chapters import long_term_dependencies, memory_cell, vanishing_gradients

SLIDERS = {
    "notebooks/02-long-term-dependencies": len(long_term_dependencies.SETTINGS.gaps),
    "notebooks/03-vanishing-gradients": len(vanishing_gradients.SETTINGS.sigmas),
    "notebooks/04-the-memory-cell": len(memory_cell.SETTINGS.slider_biases),
}


@pytest.mark.parametrize("name, n_values", SLIDERS.items())
def test_each_slider_carries_one_frame_per_value_and_a_range_input(name, n_values):
    path = HTML / f"{name}.html"
    if not path.exists():
        pytest.fail(f"{path} not built: run `make book`", pytrace=False)
    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    scrubbers = soup.select("div.lstm-scrubber")
    assert len(scrubbers) == 1, f"expected one interactive figure on {name}, found {len(scrubbers)}"
    box = scrubbers[0]
    frames = box.find_all("img")
    assert len(frames) == n_values
    assert all(img["src"].startswith("data:image/png;base64,") for img in frames)
    assert all(len(img.get("alt", "").split()) >= 5 for img in frames)
    assert sum("display:none" not in img.get("style", "") for img in frames) == 1
    slider = box.find("input", attrs={"type": "range"})
    assert slider is not None and int(slider["max"]) == n_values - 1 and slider.get("oninput")
    assert path.stat().st_size < 5_000_000, f"{name} page is {path.stat().st_size} bytes"
