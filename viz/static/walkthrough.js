// stepgrad walkthrough player: one frame visible at a time, driven by buttons, keys,
// the slider, play/pause and the #step=N fragment. Reads its data from #walkthrough-data;
// all text goes in through textContent, never innerHTML.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("walkthrough-data").textContent);
  var frames = document.querySelectorAll("#graph .frame");
  var n = frames.length;
  var caption = document.getElementById("caption");
  var slider = document.getElementById("slider");
  var counter = document.getElementById("counter");
  var playButton = document.getElementById("play");
  var phases = document.querySelectorAll("#phases li");
  var rows = document.querySelectorAll("#steps tbody tr");
  var inspector = document.getElementById("inspector-body");
  var nodeBody = document.querySelector("#nodes tbody");
  var nodeStep = null;
  var current = -1;
  var timer = null;

  function clamp(i) { return Math.max(0, Math.min(n - 1, i)); }

  function fromHash() {
    var match = /step=(\d+)/.exec(window.location.hash);
    return match ? clamp(parseInt(match[1], 10) - 1) : 0;
  }

  function setHash(i) {
    var hash = "#step=" + (i + 1);
    if (window.location.hash === hash) return;
    try { history.replaceState(null, "", hash); } catch (e) { window.location.replace(hash); }
  }

  function show(i) {
    i = clamp(i);
    if (i === current) return;
    if (current >= 0) frames[current].hidden = true;
    else frames.forEach(function (f) { f.hidden = true; });  // first call: frame 1 was shown
    frames[i].hidden = false;
    current = i;
    var frame = data.frames[i];
    caption.textContent = frame.caption;
    caption.dataset.phase = frame.phase;
    slider.value = String(i);
    counter.textContent = data.text.frame + " " + (i + 1) + " / " + n;
    phases.forEach(function (li) { li.classList.toggle("current", li.dataset.phase === frame.phase); });
    rows.forEach(function (row) {
      var step = parseInt(row.dataset.step, 10);
      // Row k holds the parameters after step k: known once step k's update is done.
      var done = step < frame.step || (step === frame.step && frame.done);
      row.classList.toggle("current", step === frame.step);
      row.classList.toggle("future", !done && step >= 0);
    });
    fillNodes(frame, i);
    follow(frames[i], frame.node);
    document.getElementById("first").disabled = document.getElementById("prev").disabled = i === 0;
    document.getElementById("last").disabled = document.getElementById("next").disabled = i === n - 1;
    setHash(i);
  }

  // A graph too wide for its box scrolls sideways: keep the frame's node in view
  // (horizontal only, so the page itself never jumps).
  var graphBox = document.getElementById("graph");
  function follow(frameDiv, nodeId) {
    if (!nodeId || graphBox.scrollWidth <= graphBox.clientWidth) return;
    var target = null;
    frameDiv.querySelectorAll("g.node > title").forEach(function (title) {
      if (title.textContent === nodeId) target = title.parentNode;
    });
    if (!target) return;
    var box = graphBox.getBoundingClientRect();
    var r = target.getBoundingClientRect();
    if (r.left >= box.left && r.right <= box.right) return;
    graphBox.scrollLeft += (r.left + r.right) / 2 - (box.left + box.right) / 2;
  }

  // The node table of the current pair, filled in as far as the current frame.
  function fillNodes(frame, i) {
    var rows = data.nodes[frame.step];
    document.getElementById("node-table").hidden = !rows;
    if (!rows) return;
    if (nodeStep !== frame.step) {
      nodeBody.textContent = "";
      rows.forEach(function (row) {
        var tr = document.createElement("tr");
        tr.dataset.node = row.id;
        ["name", "data", "grad"].forEach(function () { tr.appendChild(document.createElement("td")); });
        tr.cells[0].textContent = row.name;
        nodeBody.appendChild(tr);
      });
      nodeStep = frame.step;
    }
    rows.forEach(function (row, k) {
      var tr = nodeBody.rows[k];
      tr.cells[1].textContent = row.df !== null && row.df <= i ? row.data : "";
      tr.cells[2].textContent = row.gf !== null && row.gf <= i ? row.grad : "";
      tr.classList.toggle("current", row.id === frame.node);
    });
  }

  function stop() {
    if (timer !== null) { clearInterval(timer); timer = null; }
    playButton.textContent = "▶ " + data.text.play;
  }

  function play() {
    if (timer !== null) { stop(); return; }
    if (current === n - 1) show(0);
    playButton.textContent = "⏸ " + data.text.pause;
    timer = setInterval(function () {
      if (current >= n - 1) { stop(); return; }
      show(current + 1);
    }, 1400);
  }

  function inspect(nodeId) {
    var info = (data.inspect[data.frames[current].step] || {})[nodeId];
    inspector.textContent = "";
    if (!info) return;
    var title = document.createElement("p");
    var strong = document.createElement("strong");
    strong.textContent = info.name;
    title.appendChild(strong);
    inspector.appendChild(title);
    [["forward", info.forward], ["backward", info.backward]].forEach(function (pair) {
      if (!pair[1]) return;
      var p = document.createElement("p");
      p.textContent = pair[1];
      inspector.appendChild(p);
    });
  }

  document.getElementById("first").addEventListener("click", function () { stop(); show(0); });
  document.getElementById("prev").addEventListener("click", function () { stop(); show(current - 1); });
  document.getElementById("next").addEventListener("click", function () { stop(); show(current + 1); });
  document.getElementById("last").addEventListener("click", function () { stop(); show(n - 1); });
  playButton.addEventListener("click", play);
  slider.addEventListener("input", function () { stop(); show(parseInt(slider.value, 10)); });
  window.addEventListener("hashchange", function () { show(fromHash()); });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var onSlider = event.target === slider;
    if (event.key === "ArrowRight" && !onSlider) { stop(); show(current + 1); }
    else if (event.key === "ArrowLeft" && !onSlider) { stop(); show(current - 1); }
    else if (event.key === "Home") { stop(); show(0); }
    else if (event.key === "End") { stop(); show(n - 1); }
    else if (event.key === " " && event.target.tagName !== "BUTTON") { play(); }
    else return;
    event.preventDefault();
  });
  document.getElementById("graph").addEventListener("click", function (event) {
    var node = event.target.closest ? event.target.closest("g.node") : null;
    var title = node ? node.querySelector("title") : null;
    if (title) inspect(title.textContent);
  });
  slider.max = String(n - 1);
  stop();
  show(fromHash());
})();
