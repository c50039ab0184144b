"""Sphinx extension of the LSTM book: keeps the execution cache honest and notebook runs steady.

1. myst-nb's cache keys a notebook on its own cells, so a change in `lstm_helpers` would leave
   stale outputs in the book. We fingerprint the package's sources and empty the cache when the
   fingerprint changes, which makes every notebook run again.
2. Kernels started by the build see LSTM_BOOK_STATIC=1: interactive figures then render as
   scrubbable animations (no kernel behind the page) and training shows no progress bar.
3. nbclient now and then notices a kernel's reply only when the cell timeout expires (nbclient
   issue #312). Asking the socket in short slices instead of once for the whole wait removes it.
4. Two fixes found by the browser tests (tests/browser), applied to every page as it is written:
   Sphinx 7.4 lists an inline script added after the builder starts twice, so sphinx-thebe's
   `const THEBE_JS_URL = ...` ran twice (an uncaught SyntaxError in every page's console); and
   docutils marks bibliography entries role="doc-biblioentry", deprecated in ARIA 1.2, inside a
   role="list", which then has no list items (axe: aria-required-children, critical).
5. The student edition (`lstm_book_drop_solutions = True`) drops every solution, gated ones with
   their executed code cells too, once sphinx-exercise has merged them into one node.
   sphinx-exercise's own `hide_solutions` fails on gated solutions (it drops the start and leaves
   the end node: "unknown node type: solution_end_node", sphinx-exercise 1.2.1). It also sets the
   Sphinx tag `student`, so a page says what is true of each edition with ```{only} student``` and
   ```{only} not student``` (the student site and the student PDF alike).
"""

from __future__ import annotations

import hashlib
import inspect
import os
import shutil
from pathlib import Path
from time import monotonic

STAMP = "lstm_helpers.sha256"
POLL_SECONDS = 0.2


def helpers_fingerprint(package_dir: Path) -> str:
    """SHA-256 over the paths and contents of every file in `package_dir` that the notebooks can
    read: the code, the shipped weights and logs, the static files (not Python's bytecode caches)."""
    digest = hashlib.sha256()
    for path in sorted(package_dir.rglob("*")):
        if not path.is_file() or "__pycache__" in path.parts or path.suffix == ".pyc":
            continue
        digest.update(path.relative_to(package_dir).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def needs_rereading(doctree_dir: Path, fingerprint: str) -> bool:
    """Whether the build that keeps its doctrees in `doctree_dir` last finished with another
    lstm_helpers (or never finished): then every notebook page must be read again."""
    seen = doctree_dir / STAMP
    return not seen.exists() or seen.read_text() != fingerprint


def mark_read(doctree_dir: Path, fingerprint: str) -> None:
    """Record that the build in `doctree_dir` finished with this lstm_helpers."""
    doctree_dir.mkdir(parents=True, exist_ok=True)
    (doctree_dir / STAMP).write_text(fingerprint)


def reset_cache_if_changed(cache_dir: Path, package_dir: Path) -> bool:
    """Empty `cache_dir` when the package's fingerprint differs from the stored one; True if emptied."""
    fingerprint = helpers_fingerprint(package_dir)
    stamp = cache_dir / STAMP
    if stamp.exists() and stamp.read_text() == fingerprint:
        return False
    emptied = cache_dir.exists()
    shutil.rmtree(cache_dir, ignore_errors=True)
    cache_dir.mkdir(parents=True)
    stamp.write_text(fingerprint)
    return emptied


def async_channel() -> type | None:
    """jupyter_client's async socket channel: AsyncZMQSocketChannel from 8, ZMQSocketChannel in 7."""
    from jupyter_client import channels

    channel = getattr(channels, "AsyncZMQSocketChannel", channels.ZMQSocketChannel)
    return channel if inspect.iscoroutinefunction(channel.get_msg) else None


def poll_in_slices() -> None:
    """Make jupyter_client's async get_msg poll the socket every POLL_SECONDS (idempotent)."""
    from queue import Empty

    channel = async_channel()
    if channel is None:  # jupyter_client 6 and older: nbclient 0.10 cannot run there anyway
        return
    original = channel.get_msg
    if getattr(original, "_polls_in_slices", False):
        return

    async def get_msg(self, timeout=None):
        deadline = None if timeout is None else monotonic() + timeout
        while True:
            left = POLL_SECONDS if deadline is None else max(0.0, deadline - monotonic())
            try:
                return await original(self, min(POLL_SECONDS, left))
            except Empty:
                if deadline is not None and monotonic() >= deadline:
                    raise

    get_msg._polls_in_slices = True
    channel.get_msg = get_msg


def drop_solutions(app, doctree) -> int:
    """Remove every merged solution node from `doctree` when the student config asks; how many."""
    if not app.config.lstm_book_drop_solutions:
        return 0
    from sphinx_exercise.nodes import solution_node

    found = list(doctree.findall(solution_node))
    for node in found:
        node.parent.remove(node)
    return len(found)


def _on_config_inited(app, config) -> None:
    root = Path(app.confdir)
    cache = config.nb_execution_cache_path or str(Path(app.outdir).parent / ".jupyter_cache")
    if reset_cache_if_changed(Path(cache), root / "lstm_helpers"):
        print("lstm_book: lstm_helpers changed, every notebook will run again")
    app.lstm_book_fingerprint = helpers_fingerprint(root / "lstm_helpers")
    # Each build (site, student edition, PDF) keeps its own doctrees, so each asks for itself; the
    # stamp is written when the build finishes, so an interrupted build reads them all next time.
    app.lstm_book_reread = needs_rereading(Path(app.doctreedir), app.lstm_book_fingerprint)
    if config.lstm_book_drop_solutions:
        app.tags.add("student")


def _on_env_get_outdated(app, env, added, changed, removed) -> list[str]:
    """When lstm_helpers changed since this build last finished, every notebook page is read (and
    so taken from the cache or executed) again: Sphinx alone would keep the pages of unchanged
    notebooks, with their old outputs."""
    if not getattr(app, "lstm_book_reread", False):
        return []
    return [doc for doc in env.found_docs if str(env.doc2path(doc)).endswith(".ipynb")]


def _on_build_finished(app, exception) -> None:
    if exception is None and hasattr(app, "lstm_book_fingerprint"):
        mark_read(Path(app.doctreedir), app.lstm_book_fingerprint)


def drop_duplicate_scripts(scripts: list) -> list:
    """`scripts` without repeats; an inline script's filename may be None or '' for the same one."""
    seen, kept = set(), []
    for js in scripts:
        key = (getattr(js, "filename", js) or "", getattr(js, "priority", 0),
               tuple(sorted(getattr(js, "attributes", {}).items())))  # fmt: skip
        if key not in seen:
            seen.add(key)
            kept.append(js)
    return kept


def _on_html_page_context(app, pagename, templatename, context, doctree) -> None:
    if isinstance(context.get("script_files"), list):
        context["script_files"][:] = drop_duplicate_scripts(context["script_files"])
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    os.environ["LSTM_BOOK_STATIC"] = "1"
    # A kernel that inherits MPLBACKEND=Agg shows no figure at all: the book would lose them.
    os.environ.pop("MPLBACKEND", None)
    poll_in_slices()
    app.add_config_value("lstm_book_drop_solutions", False, "env")
    app.connect("config-inited", _on_config_inited)
    app.connect("doctree-read", drop_solutions)
    app.connect("env-get-outdated", _on_env_get_outdated)
    app.connect("build-finished", _on_build_finished)
    app.connect("html-page-context", _on_html_page_context, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
