# The LSTM course book. Two commands are all a contributor needs:
#   make book   set up .venv, execute the notebooks, build the site into _build/html
#   make test   set up .venv, run every check (lint, the package's tests, every notebook executed once by
#               nbmake, the strict build from those outputs, the built HTML, PDF and decks, the site in a
#               headless browser)
# and one for the edit-test loop on the package: make unit (its fast tests, under 30 s).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
VENDOR := book/_vendor/mathjax/tex-chtml.js
AXE    := node_modules/axe-core/axe.min.js
BROWSER_STAMP := $(VENV)/.browser-installed
CHROMIUM := /usr/bin/chromium
# the notebooks as nbmake executed them; not under _build, where nbmake collects nothing
EXECUTED := _executed
export LSTM_BOOK_STATIC := 1
# tools/*.py import each other and the book's Sphinx extension by name (pytest: pyproject's pythonpath)
export PYTHONPATH := $(CURDIR)/tools:$(CURDIR)/book/_ext

.PHONY: book test setup lint unit tests notebooks html student student-notebooks slides site-tests \
	browser-setup browser \
	screenshots bench bench-notebooks bench-long charlm clean compat pdf pdf-book pdf-student pdftotext

$(STAMP): requirements.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt
	$(BIN)/python -m pip install -q --no-deps -e .
	@touch $(STAMP)

# MathJax from npm, copied next to the pages so that math renders without internet.
$(VENDOR): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf book/_vendor && mkdir -p book/_vendor/mathjax/output/chtml/fonts
	cp node_modules/mathjax/es5/tex-chtml.js book/_vendor/mathjax/
	cp -r node_modules/mathjax/es5/output/chtml/fonts/woff-v2 book/_vendor/mathjax/output/chtml/fonts/

setup: $(STAMP) $(VENDOR)

book: html slides
	@echo
	@echo "The book is built. Open: file://$(CURDIR)/_build/html/index.html"
	@echo "or serve it:              $(BIN)/python -m http.server -d _build/html 8000"

html: $(STAMP) $(VENDOR)
	$(BIN)/jupyter-book build . -W -n --keep-going

# Each notebook is executed once: by nbmake, in `notebooks`; html, student, pdf and slides reuse it.
# After the strict build, the student edition, the decks and the two PDFs are built two at a time:
# each is mostly one process on one core.
test: lint tests notebooks html
	$(MAKE) --no-print-directory -j 2 -o html student slides pdf
	$(MAKE) --no-print-directory site-tests browser
	@echo "All checks passed."

# One reveal.js deck per chapter from the notebooks and the execution cache (nothing runs), into
# _build/slides and the site: each deck also as a zip that opens offline and as a PDF with a page per
# slide (printed by the browser tests' Chromium), all listed in _build/slides/index.html.
slides: html browser-setup
	$(BIN)/python tools/slides.py build _build/slides _build/html
	$(BIN)/python tools/slides.py pdf _build/slides _build/html
	@echo "The slides are built: $(CURDIR)/_build/slides/index.html"

# The student edition: the same book without solutions and without the instructor guide.
student: html
	$(BIN)/python tools/student.py config _build/student
	$(BIN)/jupyter-book build . --config _build/student/_config.yml --toc _build/student/_toc.yml \
		--path-output _build/student \
		-W -n --keep-going
	rm -rf _build/student/html && mv _build/student/_build/html _build/student/html
	$(BIN)/python tools/student.py strip _build/student/html/_sources
	@echo "The student edition is built. Open: file://$(CURDIR)/_build/student/html/index.html"

lint: $(STAMP)
	$(BIN)/ruff check .

# Two pytest workers on two cores, each on one thread: torch's second thread only waits for the other
# worker's core (the tests tier 129 s against 81 s, chapter 3 under nbmake 46 s against 21 s; the
# outputs are the same, as tests/notebooks checks).
unit tests notebooks: export OMP_NUM_THREADS := 1

# The package's own tests but the slow ones (marked `slow`: training runs, long chains): the edit loop,
# on both cores (pytest-xdist).
unit: $(STAMP)
	$(BIN)/pytest tests/unit -q -m "not slow" -n 2

# Everything that needs no built book: the package (training included), the chapters' experiments,
# the tools; on both cores, a test file per worker (module fixtures built once).
tests: $(STAMP)
	$(BIN)/pytest tests/unit tests/chapters tests/tools -q -n 2 --dist loadfile

# Every notebook executed once, by nbmake on both cores, into a build copy ($(EXECUTED)); its text
# outputs compared with the previous build's (determinism); its outputs stored in the execution cache,
# so that the strict build, the student edition, the PDF and the decks execute nothing again. Work
# stealing: each worker starts on half of the notebooks (chapter 6, the longest, first on the second)
# and takes the other's next when it runs out.
notebooks: $(STAMP)
	$(BIN)/python tools/executed.py copy $(EXECUTED)
	$(BIN)/pytest --nbmake --nbmake-timeout=300 --overwrite $(EXECUTED) -q --durations=0 -p no:cacheprovider \
		-n 2 --dist worksteal
	$(BIN)/pytest tests/notebooks -q
	$(BIN)/python tools/executed.py cache $(EXECUTED)

# The student edition's notebooks (solutions removed) executed top to bottom, each exercise's
# placeholder printing "Not yet": the chapters run once more, so this is not part of `make test`.
student-notebooks: $(STAMP)
	$(BIN)/pytest tests/student -q

# On both cores, by work stealing (35 s against 44-48 s a file per worker: the PDF's checks are half
# of the work); a worker parses each page it reads once (helpers_repo.parsed).
site-tests: $(STAMP)
	$(BIN)/pytest tests/site -q -n 2 --dist worksteal

# The built site in headless Chromium (tests/browser): Debian's chromium (apt-get, as root or with
# sudo, when it is missing) driven by Playwright. Where no browser can be installed the tests skip, loudly.
$(AXE): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $(AXE)

$(BROWSER_STAMP): requirements-browser.txt $(STAMP)
	$(BIN)/python -m pip install -q -r requirements-browser.txt
	@touch $(BROWSER_STAMP)

# apt-get as root, or through passwordless sudo (GitHub's runners); empty where neither can run it
APT := $(shell command -v apt-get >/dev/null && { [ "$$(id -u)" = 0 ] && echo "env" \
	|| { sudo -n true 2>/dev/null && echo "sudo -n env"; }; })
APT_GET := $(APT) DEBIAN_FRONTEND=noninteractive apt-get

browser-setup: $(BROWSER_STAMP) $(AXE)
	@if [ ! -x $(CHROMIUM) ]; then \
	  if [ -n "$(APT)" ]; then \
	    $(APT_GET) install -y -q chromium || { $(APT_GET) update -q && $(APT_GET) install -y -q chromium; } \
	    || echo "WARNING: apt-get could not install chromium: the browser tests will be SKIPPED"; \
	  else \
	    echo "WARNING: no $(CHROMIUM), and apt-get cannot run (not root, no sudo): the browser tests will be SKIPPED"; \
	  fi; \
	fi

# On both cores; all checks of one page on the same worker (xdist_group), which opens it once.
browser: browser-setup
	$(BIN)/pytest tests/browser -q -n 2 --dist loadgroup

# Each chapter page at 1280 px wide, into _build/screenshots/.
screenshots: html browser-setup
	$(BIN)/python tests/browser/screenshots.py _build/screenshots

# The PDF edition: the book built as one page and printed by the browser tests' Chromium, with
# poppler-utils (pdftotext) to number the contents; the student edition's PDF has no solutions.
# The two editions are separate targets, so that `make -j 2` prints them side by side.
pdf: pdf-book pdf-student
	@echo "The PDF is built: $(CURDIR)/_build/pdf/lstm-book.pdf"

pdftotext:
	@command -v pdftotext >/dev/null || { [ -n "$(APT)" ] && $(APT_GET) install -y -q poppler-utils; } \
	  || echo "WARNING: no pdftotext (apt-get install poppler-utils)"

pdf-book: html browser-setup pdftotext
	$(BIN)/python tools/pdf.py build _build/pdf/lstm-book.pdf

pdf-student: html browser-setup pdftotext
	$(BIN)/python tools/pdf.py build _build/pdf/lstm-book-student.pdf --student

bench: $(STAMP)
	$(BIN)/python benchmarks/bench.py

# Each notebook's seconds and its kernel's peak memory, one after another in fresh kernels (quiet machine).
bench-notebooks: $(STAMP)
	$(BIN)/python benchmarks/notebooks.py

# Chapter 8's character models (LSTM and RNN) and their log, into lstm_helpers/weights/: 33 minutes on
# two CPU cores (one model each; measured end to end, docs/measurements.md), about two minutes on a GPU.
charlm: $(STAMP)
	$(BIN)/python tools/train_charlm.py

# The adding problem under the paper's rule into the shipped log lstm_helpers/weights/adding-log.json:
# the 1997 network and the LSTM at T = 100, the LSTM at T = 500 (five seeds) and 1000 (four seeds).
# Each seed is merged into the log as it finishes. Hours on two cores: see the log's seconds.
ADDING_LOG := lstm_helpers/weights/adding-log.json
bench-long: $(STAMP)
	$(BIN)/python benchmarks/adding.py --rule paper --cell 1997 --T 100 --batch 16 --log $(ADDING_LOG)
	$(BIN)/python benchmarks/adding.py --rule paper --T 100 --seeds 0 1 2 3 4 --log $(ADDING_LOG)
	$(BIN)/python benchmarks/adding.py --rule paper --T 500 --seeds 0 1 2 3 4 --log $(ADDING_LOG)
	$(BIN)/python benchmarks/adding.py --rule paper --T 1000 --seeds 0 1 2 3 --log $(ADDING_LOG)

# The book in three environments built from scratch (every dependency at its floor; Colab's versions;
# the newest releases):
# plain pip install from a fresh clone, unit tests, every notebook live with its sliders moved.
compat: $(STAMP)
	nice -n 10 $(BIN)/python tools/compat.py

clean:
	rm -rf _build _executed book/_vendor

# Chapter 10's longer runs (regularisers, truncation window, knob sweeps) into the shipped log
# lstm_helpers/weights/recipe-log.json, one run after another on one CPU thread; each run's seconds are in the log.
recipe: $(STAMP)
	$(BIN)/python tools/train_recipe.py

# Chapter 9's models into lstm_helpers/weights/: three causal Transformers and six encoder-decoders on
# digit reversal (4 and 9 minutes on one thread of a shared CPU), then the Transformer and the LSTM
# trained for equal steps on chapter 8's corpus (400 steps each, one model per core: 29 minutes on two
# CPU cores shared with other jobs; on a GPU when there is one).
.PHONY: attention
attention: $(STAMP)
	$(BIN)/python tools/train_seq2seq.py
	$(BIN)/python tools/train_transformer.py
