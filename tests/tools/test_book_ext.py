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


def test_the_fingerprint_follows_shipped_weights_not_bytecode(tmp_path):
    pkg = _package(tmp_path, "x = 1\n")
    (pkg / "weights").mkdir()
    (pkg / "weights" / "log.json").write_text("{}")
    before = lstm_book.helpers_fingerprint(pkg)
    (pkg / "__pycache__").mkdir()
    (pkg / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\x00")
    assert lstm_book.helpers_fingerprint(pkg) == before
    (pkg / "weights" / "log.json").write_text('{"steps": 1}')
    assert lstm_book.helpers_fingerprint(pkg) != before


class _App:
    """What the extension's handlers read of a Sphinx application."""

    def __init__(self, root: Path, doctrees: Path):
        self.confdir, self.doctreedir, self.outdir = str(root), str(doctrees), str(root / "_build" / "html")
        self.tags = set()


class _Env:
    found_docs = ["intro", "notebooks/ch1"]

    def doc2path(self, doc):
        return f"/book/{doc}.ipynb" if doc.startswith("notebooks/") else f"/book/{doc}.md"


class _Config:
    nb_execution_cache_path = ""
    lstm_book_drop_solutions = False


def _build(root: Path, doctrees: Path, finish: bool = True) -> list[str]:
    """The extension's part of one build: the notebook pages it makes Sphinx read again."""
    app = _App(root, doctrees)
    lstm_book._on_config_inited(app, _Config())
    reread = lstm_book._on_env_get_outdated(app, _Env(), set(), set(), set())
    if finish:
        lstm_book._on_build_finished(app, None)
    return reread


def test_every_build_reads_the_notebooks_again_after_a_helper_changes(tmp_path):
    """The site's build and the student edition's keep their own doctrees: each must read the
    notebook pages again once lstm_helpers changed, also when the other emptied the cache first."""
    root = tmp_path
    _package(root, "x = 1\n").rename(root / "lstm_helpers")
    site, student = tmp_path / "site-doctrees", tmp_path / "student-doctrees"
    assert _build(root, site) == ["notebooks/ch1"]  # first build: nothing recorded yet
    assert _build(root, student) == ["notebooks/ch1"]
    assert _build(root, site) == [] and _build(root, student) == []
    (root / "lstm_helpers" / "mod.py").write_text("x = 2\n")
    assert _build(root, site) == ["notebooks/ch1"]  # this one empties the cache
    assert _build(root, student) == ["notebooks/ch1"]  # this one finds it emptied: reads them too


def test_an_interrupted_build_reads_the_notebooks_again_next_time(tmp_path):
    root = tmp_path
    _package(root, "x = 1\n").rename(root / "lstm_helpers")
    site = tmp_path / "site-doctrees"
    _build(root, site)
    (root / "lstm_helpers" / "mod.py").write_text("x = 2\n")
    assert _build(root, site, finish=False) == ["notebooks/ch1"]  # emptied the cache, then stopped
    assert _build(root, site) == ["notebooks/ch1"]
    assert _build(root, site) == []
