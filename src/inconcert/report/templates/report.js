/* inconcert report: the network map, the account table and the evidence panels.
   Every string from the data is set with textContent or drawn on a canvas, never parsed as
   HTML. Anchors (a0, a1, ...) are the report's own ids, never data. */
(function () {
  "use strict";
  var $ = function (id) { return document.getElementById(id); };
  var ANCHOR = /^a\d+$/;

  function openEvidence(anchor, scroll) {
    if (!ANCHOR.test(anchor || "")) return;
    var el = $(anchor);
    if (!el || el.tagName !== "DETAILS") return;
    el.open = true;
    document.querySelectorAll("details.evidence.focus").forEach(function (d) {
      d.classList.remove("focus");
    });
    el.classList.add("focus");
    if (scroll !== false) el.scrollIntoView({ block: "start" });
  }
  window.addEventListener("hashchange", function () { openEvidence(location.hash.slice(1)); });
  document.addEventListener("click", function (ev) {
    var a = ev.target.closest ? ev.target.closest("a.acct") : null;
    if (a && a.dataset.anchor === location.hash.slice(1)) openEvidence(a.dataset.anchor);
  });
  if (location.hash) openEvidence(location.hash.slice(1));

  /* Account table: filter (every word must match) and sort. */
  var table = $("account-table");
  if (table) {
    var input = $("account-filter"), only = $("flagged-only"), count = $("account-count");
    var body = table.tBodies[0];
    var filter = function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var rows = body.rows, shown = 0;
      for (var i = 0; i < rows.length; i++) {
        var text = rows[i].textContent.toLowerCase();
        var ok = words.every(function (w) { return text.indexOf(w) >= 0; }) &&
          (!only.checked || rows[i].getAttribute("data-flagged") === "1");
        rows[i].hidden = !ok;
        if (ok) shown++;
      }
      count.textContent = shown + " of " + rows.length + " shown";
    };
    input.addEventListener("input", filter);
    only.addEventListener("change", filter);
    filter();
    var heads = table.tHead.rows[0].cells;
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        var num = th.getAttribute("data-type") === "num";
        var key = function (row) {
          var c = row.cells[col];
          return num ? parseFloat(c.getAttribute("data-v") || c.textContent) || 0
                     : c.textContent.trim().toLowerCase();
        };
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a), y = key(b);
          return (x < y ? -1 : x > y ? 1 : 0) * (asc ? 1 : -1);
        });
        rows.forEach(function (r) { body.appendChild(r); });
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      });
    });
  }

  /* Network map: positions come from the report (computed in Python); sigma only draws. */
  var holder = $("map"), info = $("map-info"), raw = $("map-data");
  if (!holder || !raw) return;
  var data = JSON.parse(raw.textContent);
  var fade = function (hex) {
    // Mixed with the map's background rather than transparent: overlapping nodes stay legible.
    var out = "#";
    for (var i = 1; i < 7; i += 2) {
      var c = Math.round(parseInt(hex.slice(i, i + 2), 16) * 0.5 + 251 * 0.5);
      out += (c < 16 ? "0" : "") + c.toString(16);
    }
    return out;
  };
  var say = function (parts) {
    while (info.firstChild) info.removeChild(info.firstChild);
    parts.forEach(function (p, i) {
      var el = document.createElement(i === 0 ? "b" : "div");
      el.textContent = p;
      info.appendChild(el);
    });
  };
  if (!data.nodes.length) { say(["No account is linked by a significant co-action."]); return; }
  try {
    var graph = new graphology.Graph({ type: "undirected", multi: false });
    data.nodes.forEach(function (n, i) {
      graph.addNode(String(i), { x: n[1], y: n[2], size: n[3] + (n[6] ? 1.5 : 0),
        color: n[6] ? n[4] : fade(n[4]), label: n[0], network: n[5], flagged: n[6],
        anchor: n[7] });
    });
    data.edges.forEach(function (e) {
      var key = String(e[0]) + "-" + String(e[1]);
      if (!graph.hasEdge(key)) {
        graph.addEdgeWithKey(key, String(e[0]), String(e[1]),
          { size: 0.4 + Math.min(e[2] || 0, 4) * 0.35, color: "#cfd6dd" });
      }
    });
    var hovered = null, near = null;
    var SigmaClass = window.Sigma && (window.Sigma.Sigma || window.Sigma.default || window.Sigma);
    var renderer = new SigmaClass(graph, holder, {
      labelRenderedSizeThreshold: 9, labelSize: 12, labelWeight: "500",
      labelFont: "-apple-system, Segoe UI, Helvetica Neue, Arial, sans-serif",
      zIndex: true, minCameraRatio: 0.05, maxCameraRatio: 4,
      // Large maps stay responsive while panning and zooming: edges and labels come back when
      // the camera stops.
      hideEdgesOnMove: data.nodes.length > 2000, hideLabelsOnMove: data.nodes.length > 2000,
      nodeReducer: function (node, attrs) {
        if (!hovered) return attrs;
        if (node === hovered || near.has(node)) {
          return Object.assign({}, attrs, { zIndex: 2, forceLabel: node === hovered });
        }
        return Object.assign({}, attrs, { color: "#e4e7eb", label: "", zIndex: 0 });
      },
      edgeReducer: function (edge, attrs) {
        if (hovered && !graph.hasExtremity(edge, hovered)) return Object.assign({}, attrs, { hidden: true });
        return hovered ? Object.assign({}, attrs, { color: "#7b8794" }) : attrs;
      }
    });
    renderer.on("enterNode", function (ev) {
      hovered = ev.node;
      near = new Set(graph.neighbors(ev.node));
      var a = graph.getNodeAttributes(ev.node);
      say([a.label, (a.network ? "network " + a.network : "no network") +
           (a.flagged ? " · flagged" : "") + " · " + near.size + " linked accounts",
           a.anchor ? "Click for the evidence." : "No evidence section (not in a network)."]);
      holder.style.cursor = a.anchor ? "pointer" : "default";
      renderer.refresh({ skipIndexation: true });
    });
    renderer.on("leaveNode", function () {
      hovered = null; near = null;
      holder.style.cursor = "default";
      say(["Hover an account."]);
      renderer.refresh({ skipIndexation: true });
    });
    renderer.on("clickNode", function (ev) {
      var anchor = graph.getNodeAttribute(ev.node, "anchor");
      if (anchor) { location.hash = anchor; openEvidence(anchor); }
    });
    window.__inconcertMap = { renderer: renderer, graph: graph };
  } catch (err) {
    say(["The map could not be drawn in this browser (it needs WebGL).", String(err && err.message)]);
    if (window.console) console.warn("inconcert map:", err);
  }
})();
