"""The book's Sphinx extension: the execution cache follows lstm_helpers; replies are polled in slices."""

from __future__ import annotations

import asyncio
from pathlib import Path
from queue import Empty
from time import monotonic

import lstm_book


def _package(tmp_path: Path, body: str) -> Path:
    pkg = tmp_path / "pkg"
    pkg.mkdir(exist_ok=True)
    (pkg / "mod.py").write_text(body)
    return pkg


def test_cache_is_kept_while_helpers_are_unchanged(tmp_path):
    pkg, cache = _package(tmp_path, "x = 1\n"), tmp_path / "cache"
    lstm_book.reset_cache_if_changed(cache, pkg)
    (cache / "executed.db").write_text("outputs")
    assert not lstm_book.reset_cache_if_changed(cache, pkg)
    assert (cache / "executed.db").exists()


def test_cache_is_emptied_when_a_helper_changes(tmp_path):
    pkg, cache = _package(tmp_path, "x = 1\n"), tmp_path / "cache"
    lstm_book.reset_cache_if_changed(cache, pkg)
    (cache / "executed.db").write_text("outputs")
    _package(tmp_path, "x = 2\n")
    assert lstm_book.reset_cache_if_changed(cache, pkg)
    assert not (cache / "executed.db").exists()
    assert (cache / lstm_book.STAMP).read_text() == lstm_book.helpers_fingerprint(pkg)


def test_fingerprint_sees_a_new_file(tmp_path):
    pkg = _package(tmp_path, "x = 1\n")
    before = lstm_book.helpers_fingerprint(pkg)
    (pkg / "other.py").write_text("")
    assert lstm_book.helpers_fingerprint(pkg) != before


def test_get_msg_polls_in_slices_and_still_times_out():
    AsyncZMQSocketChannel = lstm_book.async_channel()  # its name in jupyter_client 8; 7 has another
    lstm_book.poll_in_slices()
    lstm_book.poll_in_slices()  # idempotent
    calls = []

    class FakeSocket:
        async def poll(self, timeout_ms):
            calls.append(timeout_ms)
            await asyncio.sleep(timeout_ms / 1000)
            return 0

    channel = AsyncZMQSocketChannel.__new__(AsyncZMQSocketChannel)
    channel.socket = FakeSocket()
    start = monotonic()
    try:
        asyncio.run(channel.get_msg(timeout=0.7))
        raise AssertionError("get_msg returned without a message")
    except Empty:
        pass
    assert 0.6 < monotonic() - start < 1.5
    assert len(calls) >= 3 and max(calls) <= lstm_book.POLL_SECONDS * 1000


def test_after_the_cache_is_emptied_every_notebook_page_is_read_again():
    from types import SimpleNamespace

    from lstm_book import _on_env_get_outdated

    paths = {"intro": "book/intro.md", "ch1": "notebooks/01.ipynb", "ch2": "notebooks/02.ipynb"}
    env = SimpleNamespace(found_docs=set(paths), doc2path=lambda doc: paths[doc])
    emptied, kept = SimpleNamespace(lstm_book_reset=True), SimpleNamespace(lstm_book_reset=False)
    assert sorted(_on_env_get_outdated(emptied, env, set(), set(), set())) == ["ch1", "ch2"]
    assert _on_env_get_outdated(kept, env, set(), set(), set()) == []
