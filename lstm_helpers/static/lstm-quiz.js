/* Questions with instant feedback (lstm_helpers/quiz.py writes them; this script answers them).

Each question is a <div class="quiz"> holding its data as JSON (<script type="application/json">)
and plain HTML: option buttons, or a number field with a Check button, and an empty feedback
paragraph that is an ARIA live region. Nothing is fetched: the right answer is in the page, put
there by the cell that measured it. The same file runs on the website (book/_ext/quiz.py ships it),
in Jupyter, JupyterLab and Colab (inlined in the cell's output), and before printing (the key).
*/
(function () {
  "use strict";
  if (window.lstmQuiz) return;

  const RIGHT = "\u2713 Right. ";
  const WRONG = "\u2717 Not quite. ";
  const LETTERS = "ABCDEFGHIJ";

  function dataOf(root) {
    const holder = root.querySelector("script.quiz-data");
    return holder ? JSON.parse(holder.textContent) : null;
  }

  function typeset(el) {
    if (window.MathJax && MathJax.typesetPromise) MathJax.typesetPromise([el]).catch(() => {});
  }

  /* `el` holding `text`, with `code` in backticks as <code> and $math$ as \(math\) for MathJax
     (never parsed as HTML). */
  function fill(el, text) {
    el.textContent = "";
    String(text).split(/`([^`]+)`/).forEach((part, k) => {
      if (k % 2) {
        const code = document.createElement("code");
        code.textContent = part;
        el.appendChild(code);
      } else if (part) {
        el.appendChild(document.createTextNode(part.replace(/\$([^$\n]+?)\$/g, "\\($1\\)")));
      }
    });
  }

  function say(root, ok, text) {
    const box = root.querySelector(".quiz-feedback");
    box.classList.remove("quiz-right", "quiz-wrong", "quiz-noted");
    box.classList.add(ok === null ? "quiz-noted" : ok ? "quiz-right" : "quiz-wrong");
    fill(box, (ok === null ? "" : ok ? RIGHT : WRONG) + text);
    typeset(box);
  }

  function parseNumber(text) {
    let clean = String(text).trim().replace(/\s+/g, "");
    // 4,608 and 12,345.6: thousands; 0,73: a decimal comma
    clean = /^[+-]?\d{1,3}(,\d{3})+(\.\d*)?%?$/.test(clean) ? clean.replace(/,/g, "") : clean.replace(",", ".");
    if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?%?$/i.test(clean)) return NaN;
    const value = parseFloat(clean);
    return clean.endsWith("%") ? value / 100 : value;
  }

  /* The verdict on a typed number: [ok, text]. Known slips (a value a common mistake gives) are named. */
  function judgeNumber(data, typed) {
    const value = parseNumber(typed);
    if (Number.isNaN(value)) return [false, "Type a number, such as 0.25 or 12."];
    if (Math.abs(value - data.answer) <= data.tol) return [true, data.why];
    for (const slip of data.slips || []) {
      if (Math.abs(value - slip.value) <= data.tol) return [false, slip.why];
    }
    const side = value > data.answer ? "too high" : "too low";
    return [false, `${typed.trim()} is ${side}. ${data.hint || "Look again at how it is computed."}`];
  }

  function chooseOption(root, data, k) {
    root.querySelectorAll("button.quiz-option").forEach((b, j) => {
      b.setAttribute("aria-pressed", String(j === k));
      b.classList.remove("quiz-chosen-right", "quiz-chosen-wrong");
    });
    const option = data.options[k];
    const button = root.querySelectorAll("button.quiz-option")[k];
    if (data.kind === "predict" && !data.revealed) {
      say(root, null, `Your prediction: ${option.text}. Run the next cells: the measurement decides.`);
      return;
    }
    button.classList.add(option.right ? "quiz-chosen-right" : "quiz-chosen-wrong");
    const measured = data.measured ? " " + data.measured : "";
    say(root, option.right, option.why + measured);
  }

  function init(root) {
    if (!root || !root.classList || !root.classList.contains("quiz") || root.dataset.ready) return;
    const data = dataOf(root);
    if (!data) return;
    root.dataset.ready = "1";
    root.querySelectorAll("button.quiz-option").forEach((button, k) => {
      button.disabled = false;
      button.addEventListener("click", () => chooseOption(root, data, k));
    });
    const form = root.querySelector("form.quiz-number");
    if (form) {
      form.querySelectorAll("input, button").forEach((el) => { el.disabled = false; });
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const [ok, text] = judgeNumber(data, form.querySelector("input").value);
        say(root, ok, text);
      });
    }
  }

  function initAll(scope) {
    (scope || document).querySelectorAll("div.quiz").forEach(init);
  }

  /* Where a chapter starts and ends: on the site a page; in the one-page build (the PDF) each
     document after Sphinx's <span id="document-...">. */
  function chapters() {
    const docs = [...document.querySelectorAll('span[id^="document-"] + section')];
    if (docs.length) return docs;
    return [document.querySelector("article.bd-article") || document.querySelector("main") || document.body];
  }

  function keyLine(data, number) {
    if (data.kind === "numeric") {
      const tol = data.tol ? ` (within ${data.tol_text})` : "";
      return `Question ${number}: ${data.answer_text}${tol}. ${data.why}`;
    }
    const k = data.options.findIndex((o) => o.right);
    if (k < 0) return `Question ${number}: not measured in this build.`;
    const measured = data.measured ? " " + data.measured : "";
    return `Question ${number}: ${LETTERS[k]}, ${data.options[k].text}. ${data.options[k].why}${measured}`;
  }

  /* Number the questions of each chapter; with `withKey`, add an answer key at the chapter's end
     (hidden on screen, printed: lstm-quiz.css). The student edition is built without it. */
  function numberAndKey(withKey) {
    for (const chapter of chapters()) {
      const quizzes = [...chapter.querySelectorAll("div.quiz")];
      if (!quizzes.length || chapter.querySelector(":scope > .quiz-key")) continue;
      const lines = [];
      quizzes.forEach((quiz, k) => {
        const label = quiz.querySelector(".quiz-number-label");
        if (label) label.textContent = `Question ${k + 1}. `;
        const data = dataOf(quiz);
        if (data) lines.push(keyLine(data, k + 1));
      });
      if (!withKey) continue;
      const key = document.createElement("div");
      key.className = "quiz-key mathjax_process";
      const title = document.createElement("p");
      title.className = "quiz-key-title";
      title.textContent = "Answer key";
      const list = document.createElement("ul");
      for (const line of lines) {
        const item = document.createElement("li");
        fill(item, line);
        list.appendChild(item);
      }
      key.append(title, list);
      chapter.appendChild(key);
      typeset(key);
    }
  }

  /* MathJax makes each formula a tab stop (its accessibility menu); inside an option button that is a
     second, dead stop: take the formulas out of the tab order, the button carries them. */
  function untabMath() {
    document.querySelectorAll("div.quiz button mjx-container[tabindex]").forEach((m) => m.removeAttribute("tabindex"));
  }

  function afterMath() {
    const mj = window.MathJax;
    if (mj && mj.startup && mj.startup.promise) mj.startup.promise.then(untabMath).catch(() => {});
  }

  function addStyle(css) {
    if (!css || document.getElementById("lstm-quiz-style") || document.querySelector('link[href*="lstm-quiz.css"]')) {
      return;
    }
    const style = document.createElement("style");
    style.id = "lstm-quiz-style";
    style.textContent = css;
    document.head.appendChild(style);
  }

  window.lstmQuiz = { init, initAll, judgeNumber, parseNumber, numberAndKey, addStyle };

  const withKey = !!document.querySelector('script[data-lstm-quiz-key="1"]');
  const start = () => { initAll(); numberAndKey(withKey); };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else initAll();
  if (document.readyState === "complete") afterMath();
  else window.addEventListener("load", afterMath);
})();
