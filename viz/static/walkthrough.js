// stepgrad walkthrough player. One frame visible at a time, driven by buttons, keys, the
// slider, play/pause and the #step=N&node=NAME fragment. Everything it shows of a node
// comes with the frame index it is known from, so nothing appears before its frame or
// stays from another pair. Reads #walkthrough-data; all text goes in through
// textContent, never innerHTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("walkthrough-data").textContent);
  var T = data.text;
  var frames = document.querySelectorAll("#graph .frame");
  var n = frames.length;
  var $ = function (id) { return document.getElementById(id); };
  var caption = $("caption"), slider = $("slider"), counter = $("counter");
  var playButton = $("play"), graphBox = $("graph"), inspector = $("inspector-body");
  var nodeBody = document.querySelector("#nodes tbody");
  var phaseButtons = document.querySelectorAll("#phases button");
  var stepRows = document.querySelectorAll("#steps tbody tr");
  var quizBox = $("quiz"), answerField = $("quiz-answer"), feedback = $("quiz-feedback");
  var chart = $("trajectory");

  var current = -1, selected = null, zoom = null, timer = null, nodeStep = null;
  var quiz = !!data.quiz, answered = {}, outcome = {}, score = { right: 0, asked: 0 };

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (m, key) {
      return key in values ? values[key] : m;
    });
  }
  function clamp(i) { return Math.max(0, Math.min(n - 1, i)); }

  // --- where each phase and each pair starts, for the jumps ------------------------
  var segments = [], pairStarts = [];
  data.frames.forEach(function (f, i) {
    var last = segments[segments.length - 1];
    if (!last || last.step !== f.step || last.phase !== f.phase) {
      segments.push({ start: i, step: f.step, phase: f.phase });
    }
    if (!pairStarts.length || data.frames[pairStarts[pairStarts.length - 1]].step !== f.step) {
      pairStarts.push(i);
    }
  });
  function startBefore(starts, i) {  // the start of i's block, or the block before it
    var k = starts.length - 1;
    while (k > 0 && starts[k] >= i) k--;
    return starts[k];
  }
  function startAfter(starts, i) {
    for (var k = 0; k < starts.length; k++) if (starts[k] > i) return starts[k];
    return n - 1;
  }
  var segmentStarts = segments.map(function (s) { return s.start; });

  // --- the fragment: #step=N&node=NAME ---------------------------------------------
  function fromHash() {
    var hash = window.location.hash;
    var step = /step=(\d+)/.exec(hash), node = /node=([^&]*)/.exec(hash);
    var i = step ? clamp(parseInt(step[1], 10) - 1) : 0;
    selected = null;  // a link without a node (or with a name not in the graph) follows the frame
    if (node) {
      try { selected = decodeURIComponent(node[1]); } catch (e) { selected = null; }
      if (selected !== null && !factNamed(data.frames[i].step, selected)) selected = null;
    }
    return i;
  }
  function setHash() {
    var hash = "#step=" + (current + 1) + (selected ? "&node=" + encodeURIComponent(selected) : "");
    if (window.location.hash === hash) return;
    try { history.replaceState(null, "", hash); } catch (e) { window.location.replace(hash); }
  }

  // --- quiz: the number a frame computes stays hidden until the learner answers ----
  function asking(i) {
    return quiz && data.frames[i].q && !answered[i];
  }
  function hideAnswer(i) {
    var q = data.frames[i].q, frame = data.frames[i];
    frames[i].querySelectorAll("g.node").forEach(function (g) {
      var title = g.querySelector("title");
      if (!title || title.textContent !== frame.node) return;
      g.querySelectorAll("text").forEach(function (t) {
        var whole = t.dataset.answer || t.textContent;
        if (q.cells.indexOf(whole) < 0) return;
        t.dataset.answer = whole;
        t.textContent = whole.split(q.answer).join("?");
        // The cell's colours say the sign (blue < 0, red > 0) or "new": neutral until answered.
        var cell = t.previousElementSibling;
        while (cell && !(cell.tagName === "polygon" && cell.getAttribute("fill") !== "none")) {
          cell = cell.previousElementSibling;
        }
        if (cell && !("fill" in cell.dataset)) {
          cell.dataset.fill = cell.getAttribute("fill");
          cell.setAttribute("fill", "#f8fafc");
          cell.classList.add("answer-cell");
        }
        if (!("fill" in t.dataset)) t.dataset.fill = t.getAttribute("fill") || "";
        t.setAttribute("fill", "#0f172a");
      });
    });
  }
  function restoreAnswer(i) {
    frames[i].querySelectorAll("polygon.answer-cell").forEach(function (cell) {
      cell.setAttribute("fill", cell.dataset.fill);
      delete cell.dataset.fill;
      cell.classList.remove("answer-cell");
    });
    frames[i].querySelectorAll("text[data-answer]").forEach(function (t) {
      if (t.dataset.fill) t.setAttribute("fill", t.dataset.fill); else t.removeAttribute("fill");
      delete t.dataset.fill;
      t.textContent = t.dataset.answer;
    });
  }
  function parseGuess(text) {
    var clean = text.trim().replace(/\u2212/g, "-").replace(/,/g, ".").replace(/\s+/g, "");
    if (!/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(clean)) return null;
    return { value: parseFloat(clean), text: clean };
  }
  function isRight(guess, answer, near) {
    if (Math.abs(guess.value - answer) <= 1e-3 * Math.abs(answer) + 1e-12) return true;
    // the article's rounding: 0.518 for 0.51796, −1.8 for −1.796 (two digits at least),
    // unless that rounding also fits an old value or a wrong sign (0.60 for 0.604 from 0.6)
    var digits = guess.text.replace(/^[-+]?0*\.?0*/, "").replace(/\./, "").replace(/e.*$/i, "");
    var decimals = (guess.text.split(".")[1] || "").replace(/e.*$/i, "").length;
    if (digits.length < 2) return false;
    var rounds = function (x) { return Math.abs(Number(x.toFixed(decimals)) - guess.value) < 1e-12; };
    return rounds(answer) && !(near || []).some(rounds);
  }
  function showScore() {
    $("score").textContent = quiz ? fill(T.quiz_score, score) : "";
  }
  function answer(i, shown) {
    var q = data.frames[i].q;
    if (!(i in outcome)) {
      score.asked += 1;
      outcome[i] = shown ? "shown" : "right";
      if (!shown) score.right += 1;
    }
    answered[i] = true;
    answerField.value = "";
    answerField.blur();
    restoreAnswer(i);
    render(i);
    showScore();
  }
  $("quiz-form").addEventListener("submit", function (event) {
    event.preventDefault();
    if (!asking(current)) return;
    var guess = parseGuess(answerField.value);
    if (!guess) { feedback.className = "wrong"; feedback.textContent = T.quiz_bad_number; return; }
    var q = data.frames[current].q;
    if (isRight(guess, q.value, q.near)) { answer(current, false); return; }
    feedback.className = "wrong";
    feedback.textContent = T.quiz_wrong;
  });
  $("quiz-show").addEventListener("click", function () { if (asking(current)) answer(current, true); });
  quizBox.addEventListener("change", function () {
    quiz = quizBox.checked;
    document.body.classList.toggle("quiz", quiz);
    frames.forEach(function (f, i) { restoreAnswer(i); });
    showScore();
    render(current);
  });

  // --- what is known at frame i ----------------------------------------------------
  function known(fact, i) { return fact && fact[0] <= i; }

  function fillNodes(frame, i, hidden) {
    var facts = data.facts[frame.step] || [];
    $("node-table").hidden = !facts.length;
    if (nodeStep !== frame.step) {
      nodeBody.textContent = "";
      facts.forEach(function (fact) {
        var tr = document.createElement("tr");
        tr.dataset.node = fact.id;
        for (var c = 0; c < 3; c++) tr.appendChild(document.createElement("td"));
        tr.cells[0].textContent = fact.name;
        tr.title = fact.full;
        nodeBody.appendChild(tr);
      });
      nodeStep = frame.step;
    }
    facts.forEach(function (fact, k) {
      var tr = nodeBody.rows[k];
      var value = known(fact.value, i) ? fact.value[1] : "";
      if (known(fact.new, i)) value = fact.new[1];
      var grad = known(fact.grad, i) ? fact.grad[1] : "";
      if (hidden && fact.id === frame.node) {
        if (frame.phase === "update") value = "?"; else grad = "?";
      }
      tr.cells[1].textContent = value;
      tr.cells[2].textContent = grad;
      tr.classList.toggle("current", fact.id === frame.node);
      tr.classList.toggle("selected", fact.name === selected);
    });
    keepInView(nodeBody.querySelector("tr.current"), $("node-table"));
  }

  // A long table (an MLP's nodes, a long run's steps) scrolls its own panel, never the
  // page, so the current row stays in view.
  function keepInView(row, box) {
    if (!row) return;
    var r = row.getBoundingClientRect(), b = box.getBoundingClientRect();
    var table = row.closest("table"), head = table && table.tHead;  // sticky: rows scroll under it
    var top = head ? head.getBoundingClientRect().bottom : b.top;
    if (r.top < top) box.scrollTop -= top - r.top;
    else if (r.bottom > b.bottom) box.scrollTop += r.bottom - b.bottom;
  }

  // A node's facts in a pair, by the name a reader sees ("name") or by its graph id ("id").
  function factBy(step, key, value) {
    var facts = data.facts[step] || [];
    for (var k = 0; k < facts.length; k++) if (facts[k][key] === value) return facts[k];
    return null;
  }
  function factNamed(step, name) { return factBy(step, "name", name); }

  function para(parent, text, cls) {
    var p = document.createElement("p");
    if (cls) p.className = cls;
    p.textContent = text;
    parent.appendChild(p);
    return p;
  }

  // With no node pinned, the inspector follows the frame's own node.
  function inspect(frame, i, hidden) {
    inspector.textContent = "";
    var pinned = selected === null ? null : factNamed(frame.step, selected);
    var fact = pinned || (selected === null ? factBy(frame.step, "id", frame.node) : null);
    if (!fact) { para(inspector, T.inspector, "hint"); return; }
    para(inspector, pinned ? T.inspector_pinned : T.inspector_following, "hint mode");
    var head = para(inspector, "");
    var strong = document.createElement("strong");
    strong.textContent = fact.name;
    head.appendChild(strong);
    head.appendChild(document.createTextNode(" · " + T["role_" + fact.role]));
    if (fact.full !== fact.name) para(inspector, fact.full, "full");
    var isCurrent = fact.id === frame.node;
    var value = known(fact.value, i) ? fact.value[1] : T.not_yet;
    if (known(fact.new, i)) value = (hidden && isCurrent) ? fact.value[1] + " → ?" : fact.value[1] + " → " + fact.new[1];
    var grad = known(fact.grad, i) ? ((hidden && isCurrent && frame.phase === "backward") ? "?" : fact.grad[1]) : T.not_yet;
    para(inspector, T.value + ": " + value + " · " + T.gradient + ": " + grad);
    fact.lines.forEach(function (line) {
      if (line[0] > i) return;
      var p = para(inspector, "");
      var kind = document.createElement("span");
      kind.className = "kind " + line[1];
      kind.textContent = T["inspector_" + line[1]] + ":";
      p.appendChild(kind);
      var text = line[2];
      if (hidden && line[0] === i) text = frame.q.line;
      p.appendChild(document.createTextNode(text));
      if (line[0] === i) p.classList.add("now");
    });
    var now = inspector.querySelector("p.now");  // this frame's own line stays in view
    if (now) keepInView(now, $("inspector")); else $("inspector").scrollTop = 0;
  }

  function fillSteps(frame, i, hidden) {
    stepRows.forEach(function (row) {
      var step = parseInt(row.dataset.step, 10);
      row.classList.toggle("current", step === frame.step);
      Array.prototype.forEach.call(row.cells, function (cell) {
        if (!cell.dataset.at) return;
        if (!("value" in cell.dataset)) cell.dataset.value = cell.textContent;
        var at = parseInt(cell.dataset.at, 10);
        cell.textContent = at > i ? "" : (hidden && at === i ? "?" : cell.dataset.value);
      });
    });
    keepInView(document.querySelector("#steps tr.current"), $("steps-box"));
  }

  // Nothing from a later frame: a pair's loss appears once it is computed, its parameters
  // once the pair is done; the last frame shows the whole run (numbers-only pairs too).
  function moveChart(frame, i) {
    if (!chart) return;
    var x0 = parseFloat(chart.dataset.x0), dx = parseFloat(chart.dataset.dx);
    var at = function (k) { return x0 + dx * k + 2.5; };  // + a dot's radius
    var lossAt = data.chart.loss_at[frame.step];
    var params = at(frame.step + (frame.done ? 1 : 0));
    var loss = at(frame.step + (lossAt !== undefined && i >= lossAt ? 0.5 : 0));
    if (i === n - 1) params = loss = at(data.chart.steps);
    var line = $("trajectory-now"), x = x0 + dx * (frame.step + 0.5);
    line.setAttribute("x1", x);
    line.setAttribute("x2", x);
    $("trajectory-past-rect").setAttribute("width", params);
    $("trajectory-past-loss-rect").setAttribute("width", loss);
  }

  // --- zoom and pan ------------------------------------------------------------------
  // Fitted, 10 pt text stays at 12 px or more (16 px in presenter mode, for the back
  // row of a classroom: then a wide graph pans to follow the current node).
  var MIN_FIT = 0.905, MIN_PRESENTER = 1.205, MAX_FIT = 1.6, MAX_PRESENTER = 2.2;
  function fitScale(svg) {
    var w = parseFloat(svg.dataset.width) * 4 / 3, h = parseFloat(svg.dataset.height) * 4 / 3;
    var boxW = graphBox.clientWidth - 12, boxH = graphBox.clientHeight - 12;
    var s = Math.min(boxW / w, boxH / h);
    var presenting = document.body.classList.contains("presenter");
    return Math.max(presenting ? MIN_PRESENTER : MIN_FIT,
                    Math.min(presenting ? MAX_PRESENTER : MAX_FIT, s));
  }
  function applyZoom(i) {
    var svg = frames[i].querySelector("svg");
    if (!svg || !svg.dataset.width) return;
    var s = zoom === null ? fitScale(svg) : zoom;
    svg.style.width = (parseFloat(svg.dataset.width) * 4 / 3 * s) + "px";
    svg.style.height = (parseFloat(svg.dataset.height) * 4 / 3 * s) + "px";
  }
  function currentScale() {
    var svg = frames[current].querySelector("svg");
    return zoom === null ? fitScale(svg) : zoom;
  }
  function setZoom(z) {
    zoom = z === null ? null : Math.max(0.25, Math.min(4, z));
    applyZoom(current);
    follow(frames[current], data.frames[current].node);
  }
  function follow(frameDiv, nodeId) {
    if (!nodeId) return;
    var target = null;
    frameDiv.querySelectorAll("g.node > title").forEach(function (t) {
      if (t.textContent === nodeId) target = t.parentNode;
    });
    if (!target) return;
    // Scroll only as far as needed, with a margin: the graph moves little from frame to
    // frame, and the node's neighbours on the side it came from stay in view.
    var box = graphBox.getBoundingClientRect(), r = target.getBoundingClientRect();
    var mx = Math.min(60, box.width / 6), my = Math.min(40, box.height / 6);
    if (r.left < box.left) graphBox.scrollLeft -= box.left - r.left + mx;
    else if (r.right > box.right) graphBox.scrollLeft += r.right - box.right + mx;
    if (r.top < box.top) graphBox.scrollTop -= box.top - r.top + my;
    else if (r.bottom > box.bottom) graphBox.scrollTop += r.bottom - box.bottom + my;
  }
  var drag = null;
  graphBox.addEventListener("pointerdown", function (event) {
    if (event.button !== 0 || (event.target.closest && event.target.closest("g.node"))) return;
    drag = { x: event.clientX, y: event.clientY, left: graphBox.scrollLeft, top: graphBox.scrollTop };
    graphBox.classList.add("dragging");
  });
  window.addEventListener("pointermove", function (event) {
    if (!drag) return;
    graphBox.scrollLeft = drag.left - (event.clientX - drag.x);
    graphBox.scrollTop = drag.top - (event.clientY - drag.y);
  });
  window.addEventListener("pointerup", function () { drag = null; graphBox.classList.remove("dragging"); });
  graphBox.addEventListener("wheel", function (event) {
    if (!event.ctrlKey) return;
    event.preventDefault();
    setZoom(currentScale() * (event.deltaY < 0 ? 1.15 : 1 / 1.15));
  }, { passive: false });

  // --- one frame ---------------------------------------------------------------------
  function render(i) {
    var frame = data.frames[i];
    var hidden = asking(i);
    var question = quiz && !!frame.q;
    document.body.classList.toggle("question", question);
    document.body.classList.toggle("answered", question && !hidden);
    if (question && !hidden && i in outcome) {  // what this question ended with
      feedback.className = outcome[i] === "right" ? "right" : "";
      feedback.textContent = fill(outcome[i] === "right" ? T.quiz_right : T.quiz_shown,
                                  { answer: frame.q.answer });
    }
    if (hidden) hideAnswer(i);
    caption.textContent = hidden ? frame.q.question : frame.caption;
    caption.dataset.phase = frame.phase;
    fillNodes(frame, i, hidden);
    inspect(frame, i, hidden);
    fillSteps(frame, i, hidden);
    var fact = factNamed(frame.step, selected);
    frames[i].querySelectorAll("g.node").forEach(function (g) {
      var title = g.querySelector("title");
      g.classList.toggle("selected", !!fact && !!title && title.textContent === fact.id);
    });
  }

  function show(i) {
    i = clamp(i);
    if (i !== current) {
      if (current >= 0) frames[current].hidden = true;
      else frames.forEach(function (f) { f.hidden = true; });  // first call: frame 1 was shown
      frames[i].hidden = false;
      current = i;
      feedback.textContent = "";
      feedback.className = "";
      answerField.value = "";
    }
    var frame = data.frames[i];
    slider.value = String(i);
    counter.textContent = fill(T.frame_counter, { i: i + 1, n: n });
    phaseButtons.forEach(function (b) { b.classList.toggle("current", b.dataset.phase === frame.phase); });
    render(i);
    moveChart(frame, i);
    applyZoom(i);
    follow(frames[i], frame.node);
    $("first").disabled = $("prev").disabled = i === 0;
    $("last").disabled = $("next").disabled = i === n - 1;
    setHash();
  }

  function go(i) { stop(); show(i); }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "▶ " + T.play;
  }
  function play() {
    if (timer !== null) { stop(); return; }
    if (current === n - 1) show(0);
    playButton.textContent = "⏸ " + T.pause;
    timer = setInterval(function () {
      if (current >= n - 1 || asking(current)) { stop(); return; }  // a question waits
      show(current + 1);
    }, parseInt($("speed").value, 10));
  }
  $("speed").addEventListener("change", function () { if (timer !== null) { stop(); play(); } });

  function select(name) {
    selected = name === selected ? null : name;  // a second click follows the frame again
    render(current);
    setHash();
  }

  function togglePresenter(on) {
    document.body.classList.toggle("presenter", on);
    applyZoom(current);
    follow(frames[current], data.frames[current].node);
  }

  // --- wiring ------------------------------------------------------------------------
  $("first").addEventListener("click", function () { go(0); });
  $("prev").addEventListener("click", function () { go(current - 1); });
  $("next").addEventListener("click", function () { go(current + 1); });
  $("last").addEventListener("click", function () { go(n - 1); });
  $("prev-phase").addEventListener("click", function () { go(startBefore(segmentStarts, current)); });
  $("next-phase").addEventListener("click", function () { go(startAfter(segmentStarts, current)); });
  $("prev-pair").addEventListener("click", function () { go(startBefore(pairStarts, current)); });
  $("next-pair").addEventListener("click", function () { go(startAfter(pairStarts, current)); });
  $("zoom-in").addEventListener("click", function () { setZoom(currentScale() * 1.25); });
  $("zoom-out").addEventListener("click", function () { setZoom(currentScale() / 1.25); });
  $("zoom-fit").addEventListener("click", function () { setZoom(null); });
  $("presenter").addEventListener("click", function () {
    togglePresenter(!document.body.classList.contains("presenter"));
  });
  phaseButtons.forEach(function (b) {
    b.addEventListener("click", function () {  // that phase of the current pair
      var step = data.frames[current].step;
      for (var k = 0; k < segments.length; k++) {
        if (segments[k].step === step && segments[k].phase === b.dataset.phase) { go(segments[k].start); return; }
      }
    });
  });
  playButton.addEventListener("click", play);
  slider.addEventListener("input", function () { go(parseInt(slider.value, 10)); });
  window.addEventListener("hashchange", function () { show(fromHash()); });
  window.addEventListener("resize", function () { applyZoom(current); });
  graphBox.addEventListener("click", function (event) {
    var node = event.target.closest ? event.target.closest("g.node") : null;
    var title = node ? node.querySelector("title") : null;
    if (!title) return;
    var facts = data.facts[data.frames[current].step] || [];
    for (var k = 0; k < facts.length; k++) {
      if (facts[k].id === title.textContent) { select(facts[k].name); return; }
    }
  });
  nodeBody.addEventListener("click", function (event) {
    var tr = event.target.closest ? event.target.closest("tr") : null;
    if (tr) select(tr.cells[0].textContent);
  });
  function typing(target) {
    return target && (target.tagName === "INPUT" && target.type === "text" ||
                      target.tagName === "SELECT" || target.tagName === "TEXTAREA");
  }
  // Space always plays or pauses: a focused button must not take it as a click.
  document.addEventListener("keyup", function (event) {
    if (event.key === " " && !typing(event.target)) event.preventDefault();
  });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var key = event.key;
    if (typing(event.target)) {
      if (key === "Escape") event.target.blur();
      return;
    }
    var onSlider = event.target === slider;
    if (key === "ArrowRight" && !onSlider) go(current + 1);
    else if (key === "ArrowLeft" && !onSlider) go(current - 1);
    else if (key === "Home") go(0);
    else if (key === "End") go(n - 1);
    else if (key === "PageDown") go(startAfter(segmentStarts, current));
    else if (key === "PageUp") go(startBefore(segmentStarts, current));
    else if (key === "]") go(startAfter(pairStarts, current));
    else if (key === "[") go(startBefore(pairStarts, current));
    else if (key === " ") play();
    else if (key === "+" || key === "=") setZoom(currentScale() * 1.25);
    else if (key === "-" && !asking(current)) setZoom(currentScale() / 1.25);
    else if (key === "0" && !asking(current)) setZoom(null);
    else if (key === "f") togglePresenter(!document.body.classList.contains("presenter"));
    else if (key === "Escape") togglePresenter(false);
    else if (asking(current) && /^[0-9.\-\u2212]$/.test(key)) {
      answerField.focus();  // typing a number starts the answer
      return;
    } else return;
    event.preventDefault();
  });

  document.body.classList.toggle("quiz", quiz);
  slider.max = String(n - 1);
  stop();
  showScore();
  show(fromHash());
})();
