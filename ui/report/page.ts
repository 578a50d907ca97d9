// The report page's fixed parts: its stylesheet and its small script (hover details and the jump to
// the first violation). Both are inlined, so the file opens with no network at all.
import { FAULT_COLOURS, HIGHLIGHT_COLOUR, OUTCOME_COLOURS } from '../model/palette.js';
import { LABEL_INSIDE_PX, LABEL_ROOM_PX, ZOOM_MAX } from './timelineSvg.js';

export const REPORT_CSS = `
:root { --ok: ${OUTCOME_COLOURS.ok}; --info: ${OUTCOME_COLOURS.info}; --fail: ${OUTCOME_COLOURS.fail}; --pending: ${OUTCOME_COLOURS.pending}; --hl: ${HIGHLIGHT_COLOUR}; --partition: ${FAULT_COLOURS.partition}; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1d2330; background: #f6f7f9; }
header.top { padding: 18px 28px 12px; background: #fff; border-bottom: 1px solid #dde1e7; }
h1 { margin: 0 0 6px; font-size: 21px; }
h2 { font-size: 17px; margin: 0 0 10px; }
section { margin: 18px 28px; padding: 16px 18px; background: #fff; border: 1px solid #dde1e7; border-radius: 8px; }
code, pre, .mono { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: 12.5px; }
pre { background: #f1f3f6; padding: 10px; border-radius: 6px; overflow: auto; max-height: 420px; margin: 6px 0; }
.repro { display: inline-block; background: #1d2330; color: #e8ecf2; padding: 6px 10px; border-radius: 6px; margin: 6px 0; user-select: all; }
.verdict { font-weight: 700; padding: 1px 8px; border-radius: 10px; color: #fff; }
.verdict.valid { background: #3d7fc4; } .verdict.invalid { background: #d2335c; } .verdict.unknown { background: #d98300; }
table { border-collapse: collapse; margin: 6px 0; }
th, td { text-align: left; padding: 3px 10px 3px 0; vertical-align: top; }
th { font-weight: 600; color: #4a5263; }
.muted { color: #6b7385; }
.note { background: #fff8e5; border: 1px solid #f0d48a; padding: 6px 10px; border-radius: 6px; margin: 6px 0 10px; }
.scroll { overflow: auto; max-height: 78vh; border: 1px solid #e3e6eb; border-radius: 6px; background: #fff; }
a.jump { display: inline-block; margin: 8px 0; padding: 5px 12px; background: var(--hl); color: #fff; border-radius: 6px; text-decoration: none; font-weight: 600; }
.legend span { display: inline-block; margin-right: 14px; }
.swatch { display: inline-block; width: 12px; height: 12px; border-radius: 3px; vertical-align: -1px; margin-right: 4px; }
svg text { font: 10.5px ui-monospace, Menlo, Consolas, monospace; fill: #1d2330; }
svg.timeline-head .lane-head { font-weight: 700; font-size: 11.5px; }
svg.timeline-head .lane-procs { fill: #6b7385; }
svg.timeline .lane-rule { stroke: #eef0f3; }
svg.timeline .axis { fill: #6b7385; }
svg.timeline .fault-label { font-size: 10px; }
svg.timeline .op { cursor: pointer; }
svg.timeline .op rect { stroke: rgba(0,0,0,0.25); stroke-width: 0.6; }
svg.timeline .op.offending rect { stroke: var(--hl); stroke-width: 3; }
svg.timeline .op:hover rect { stroke: #1d2330; stroke-width: 2; }
svg.timeline .op.flash rect { animation: flash 0.6s ease-in-out 4; }
@keyframes flash { 50% { fill-opacity: 0.2; } }
svg.topology .link { stroke: #b7bdc8; stroke-width: 1.5; }
svg.topology .node rect { fill: #e3f0fd; stroke: #3d7fc4; stroke-width: 1.5; }
svg.topology .node text { font-size: 13px; font-weight: 700; }
svg.topology .node.crashed rect { fill: #d6d8dc; stroke: #7a7f89; stroke-dasharray: 4 3; }
svg.topology .node.paused rect { fill: #fff4dc; stroke: #d98300; stroke-dasharray: 2 2; }
svg.topology .node .state { font-size: 9.5px; font-weight: 400; fill: #5b6170; }
svg.topology .side-label { font-weight: 700; fill: var(--partition); }
svg.sequence .lifeline { stroke: #c9ced6; stroke-width: 1; }
svg.sequence .lifeline-head { font-weight: 700; font-size: 12px; }
svg.sequence .lifeline-again { font-size: 9px; fill: #9aa1ad; }
svg.sequence .msg line { stroke: #555; stroke-width: 1.1; }
svg.sequence .msg.dropped line { stroke: var(--hl); stroke-dasharray: 4 3; }
svg.sequence .msg.undelivered line { stroke: #999; }
svg.sequence .msg line.hit { stroke: transparent; stroke-width: 9; }
svg.sequence .msg:hover line:not(.hit) { stroke: #1d2330; stroke-width: 2; }
svg.sequence g.row { pointer-events: none; }
svg.sequence g.row .mark { pointer-events: visiblePainted; }
svg.sequence .msg-label { fill: #4a5263; font-size: 9.5px; }
svg.sequence .seq-time { fill: #8a91a0; font-size: 9.5px; }
svg.sequence .mark-label { font-size: 9.5px; fill: #4a5263; }
.evidence td.op { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
.evidence tr.stuck td { color: #b0183f; font-weight: 600; }
svg.timeline .tick { stroke: #e3e6eb; }
svg.timeline .offending-label { font-weight: 700; fill: #8c0f2e; }
.zoom button, .stepper button { font: inherit; padding: 2px 10px; margin-right: 4px; border: 1px solid #c9ced6; border-radius: 5px; background: #fff; cursor: pointer; }
.banner { margin: 10px 0 4px; padding: 10px 14px; border-left: 6px solid var(--hl); background: #ffe9ee; border-radius: 6px; font-size: 15px; }
.banner b { color: #8c0f2e; }
svg.keyview .row-head, svg.plot .row-head { font-weight: 700; font-size: 11.5px; }
svg.keyview .tick, svg.plot .grid { stroke: #eef0f3; }
svg.keyview .axis, svg.plot .axis { fill: #6b7385; }
svg.keyview .klabel { font-size: 10px; }
svg.keyview .lin-path { stroke: #1d2330; stroke-width: 1.5; stroke-dasharray: 2 2; }
svg.keyview .lin-point circle { fill: #1d2330; }
svg.keyview .lin-num { fill: #fff; font-size: 9px; font-weight: 700; }
svg.keyview .stuck-mark { font-weight: 700; font-size: 11px; }
svg.keyview .stuck-label { font-weight: 700; fill: #8c0f2e; }
svg.timeline .violation-label { font-weight: 700; font-size: 11px; }
svg.keyview .future { opacity: 0.25; }
svg.keyview g.unplaced rect { opacity: 0.45; }
table.steps tr.current td { background: #fff3c4; }
table.steps tr.future td { color: #a9afba; }
table.steps tr.stuck td { color: #b0183f; font-weight: 600; }
.step-state { margin-left: 10px; font-weight: 600; }
svg.plot .status-label { font-size: 10px; }
.seq-controls { margin: 6px 0; line-height: 1.9; }
.seq-controls label { margin-right: 10px; white-space: nowrap; }
#tooltip { position: fixed; pointer-events: none; background: #1d2330; color: #f2f4f8; padding: 7px 10px; border-radius: 6px; font: 12px/1.4 ui-monospace, Menlo, monospace; white-space: pre; display: none; z-index: 10; max-width: 60vw; }
`;

/** Hover details, the timeline's zoom, the sequence diagram's filters and the per-key step-through. */
export const REPORT_SCRIPT = `
(function () {
  var tip = document.getElementById('tooltip');
  document.addEventListener('mouseover', function (event) {
    var target = event.target.closest && event.target.closest('svg.timeline .op, svg.timeline .fault-band, svg.timeline .fault-point, svg.sequence g.msg, svg.sequence g.mark, svg.topology g, svg.keyview g, svg.plot .status-seg');
    if (!target) { tip.style.display = 'none'; return; }
    var title = target.querySelector('title');
    if (!title) return;
    tip.textContent = title.textContent;
    tip.style.display = 'block';
  });
  document.addEventListener('mousemove', function (event) {
    if (tip.style.display !== 'block') return;
    tip.style.left = Math.min(event.clientX + 14, window.innerWidth - tip.offsetWidth - 8) + 'px';
    tip.style.top = Math.min(event.clientY + 14, window.innerHeight - tip.offsetHeight - 8) + 'px';
  });

  // The timeline's zoom: every element keeps its base coordinates (data-y0, data-y1) and is redrawn.
  var svg = document.querySelector('svg.timeline');
  var zoomLabel = document.getElementById('zoom-level');
  function setY(el, y) { el.setAttribute(el.tagName === 'line' ? 'y1' : 'y', y); if (el.tagName === 'line') el.setAttribute('y2', y); }
  function applyZoom(zoom) {
    if (!svg) return;
    var header = Number(svg.dataset.header), base = Number(svg.dataset.baseHeight);
    var box = document.getElementById('timeline-scroll');
    var centre = box ? (box.scrollTop + box.clientHeight / 2 - header) / Number(svg.dataset.zoom) : 0;
    svg.dataset.zoom = String(zoom);
    var height = header + base * zoom + 24;
    svg.setAttribute('height', height);
    svg.querySelectorAll('line[data-full]').forEach(function (line) { line.setAttribute('y2', height); });
    svg.querySelectorAll('g.op').forEach(function (g) {
      var y0 = Number(g.dataset.y0), y1 = Number(g.dataset.y1), room = Number(g.dataset.room);
      var rect = g.querySelector('rect'), text = g.querySelector('text');
      var h = Math.max(3, (y1 - y0) * zoom);
      rect.setAttribute('y', header + y0 * zoom);
      rect.setAttribute('height', h);
      text.setAttribute('y', header + y0 * zoom + (h >= ${LABEL_INSIDE_PX} ? 10 : h + 9));
      var shown = g.classList.contains('offending') || room * zoom >= ${LABEL_ROOM_PX}; 
      text.setAttribute('visibility', shown ? 'visible' : 'hidden');
    });
    svg.querySelectorAll('text.violation-label').forEach(function (text) { text.setAttribute('y', header + Number(text.dataset.y0) * zoom + 4); });
    svg.querySelectorAll('.fault-band rect, .fault-point line, rect.violation-band').forEach(function (el) {
      var y0 = Number(el.dataset.y0), pad = Number(el.dataset.pad || 0);
      setY(el, header + y0 * zoom - pad);
      if (el.dataset.y1 !== undefined) el.setAttribute('height', Math.max(2, (Number(el.dataset.y1) - y0) * zoom) + 2 * pad);
    });
    // Fault labels in time order, each pushed below the one before: they never overlap.
    var last = -Infinity;
    Array.prototype.slice.call(svg.querySelectorAll('text.fault-label')).sort(function (a, b) { return a.dataset.y0 - b.dataset.y0; }).forEach(function (text) {
      var y = Math.max(header + Number(text.dataset.y0) * zoom + 9, last + 13);
      text.setAttribute('y', y);
      last = y;
    });
    // Time ticks about every 60 px at this zoom, at round values.
    var ticks = svg.querySelector('g.axis-ticks');
    var perNs = Number(svg.dataset.pxPerNs) * zoom, t0 = Number(svg.dataset.t0);
    var stepNs = 60 / perNs, round = Math.pow(10, Math.floor(Math.log10(stepNs)));
    stepNs = [1, 2, 5, 10].map(function (m) { return m * round; }).find(function (s) { return s >= stepNs; });
    var html = '';
    for (var t = Math.ceil(t0 / stepNs) * stepNs; (t - t0) * perNs <= base * zoom; t += stepNs) {
      var y = header + (t - t0) * perNs;
      var label = svg.dataset.unit === 'ns' ? (t / 1e6).toFixed(stepNs < 1e6 ? 3 : stepNs < 1e7 ? 1 : 0) + 'ms' : '#' + Math.round(t);
      html += '<line class="tick" x1="0" x2="86" y1="' + y + '" y2="' + y + '"></line><text class="axis" x="4" y="' + (y - 2) + '">' + label + '</text>';
    }
    ticks.innerHTML = html;
    if (zoomLabel) zoomLabel.textContent = zoom + '×';
    if (box) box.scrollTop = centre * zoom + header - box.clientHeight / 2;
  }
  document.querySelectorAll('button[data-zoom]').forEach(function (button) {
    button.addEventListener('click', function () {
      var zoom = Number(svg.dataset.zoom), how = button.dataset.zoom;
      zoom = how === 'in' ? Math.min(${ZOOM_MAX}, zoom * 2) : how === 'out' ? Math.max(1, zoom / 2) : Number(how);
      applyZoom(zoom);
    });
  });
  if (svg) applyZoom(Number(svg.dataset.zoom));

  // The sequence diagram: rows that pass the filters, one after another.
  var seq = document.querySelector('svg.sequence');
  function layoutSequence() {
    if (!seq) return;
    var nodes = {}, types = {};
    document.querySelectorAll('input.seq-node').forEach(function (box) { nodes[box.value] = box.checked; });
    document.querySelectorAll('input.seq-type').forEach(function (box) { types[box.value] = box.checked; });
    var top = Number(seq.dataset.top), rowPx = Number(seq.dataset.rowPx), place = {}, n = 0;
    function visible(el) {
      var type = el.dataset.type;
      if (type !== '' && types[type] === false) return false;
      return el.dataset.nodes.split(' ').every(function (node) { return nodes[node] !== false; });
    }
    seq.querySelectorAll('g.row').forEach(function (row) {
      var show = visible(row);
      row.style.display = show ? '' : 'none';
      if (!show) return;
      var y = top + n * rowPx + rowPx / 2;
      place[row.dataset.row] = y;
      row.setAttribute('transform', 'translate(0,' + (y - Number(row.dataset.y)) + ')');
      n++;
    });
    seq.querySelectorAll('g.msg').forEach(function (msg) {
      var y1 = place[msg.dataset.fromRow], y2 = place[msg.dataset.toRow];
      var show = visible(msg) && y1 !== undefined && y2 !== undefined;
      msg.style.display = show ? '' : 'none';
      if (!show) return;
      var f = Number(msg.dataset.fraction || 1);
      var end = msg.dataset.stub ? y1 + Number(msg.dataset.stub) : y1 + (y2 - y1) * f;
      msg.querySelectorAll('line').forEach(function (line) { line.setAttribute('y1', y1); line.setAttribute('y2', end); });
      var x = msg.querySelector('text.drop-x');
      if (x) x.setAttribute('y', end + 4);
    });
    seq.querySelectorAll('g.lifeline-g').forEach(function (g) { g.style.display = nodes[g.dataset.node] === false ? 'none' : ''; });
    var focus = seq.querySelector('g.focus-g');
    if (focus) {
      var row = Number(focus.dataset.row), y = undefined;
      for (var r = row; y === undefined && r < row + 100000; r++) { if (place[r] !== undefined) y = place[r]; if (!seq.querySelector('g.row[data-row="' + r + '"]')) break; }
      focus.style.display = y === undefined ? 'none' : '';
      if (y !== undefined) focus.querySelectorAll('line').forEach(function (l) { l.setAttribute('y1', y - rowPx / 2); l.setAttribute('y2', y - rowPx / 2); });
      if (y !== undefined) focus.querySelector('text').setAttribute('y', y - rowPx / 2 - 3);
    }
    seq.setAttribute('height', top + Math.max(1, n) * rowPx + 20);
    seq.querySelectorAll('line.lifeline').forEach(function (l) { l.setAttribute('y2', top + Math.max(1, n) * rowPx + 12); });
    var count = document.getElementById('seq-count');
    if (count) count.textContent = n + ' of ' + seq.querySelectorAll('g.row').length + ' events shown';
  }
  document.querySelectorAll('input.seq-node, input.seq-type').forEach(function (box) { box.addEventListener('change', layoutSequence); });
  var bg = document.getElementById('seq-background');
  if (bg) bg.addEventListener('change', function () {
    document.querySelectorAll('label.bg-type input').forEach(function (box) { box.checked = bg.checked; });
    layoutSequence();
  });
  layoutSequence();

  // Diagrams open scrolled to the moment that matters.
  document.querySelectorAll('.scroll').forEach(function (box) {
    var focus = box.querySelector('.focus, .offending');
    if (!focus) return;
    var top = focus.getBoundingClientRect().top - box.getBoundingClientRect().top + box.scrollTop;
    box.scrollTop = Math.max(0, top - box.clientHeight / 3);
  });

  // The per-key step-through: step k shows the first k linearization points and the state after.
  var stepper = document.querySelector('.stepper');
  if (stepper) {
    var lastStep = Number(stepper.dataset.last), current = 0;
    var rows = document.querySelectorAll('table.steps tr.step');
    function showStep(k) {
      current = Math.max(0, Math.min(lastStep, k));
      document.querySelectorAll('svg.keyview [data-step]').forEach(function (el) {
        var step = Number(el.dataset.step || 0);
        el.classList.toggle('future', step > current && step !== 0);
      });
      var stateText = '';
      rows.forEach(function (row) {
        var step = Number(row.dataset.step);
        row.classList.toggle('current', step === current);
        row.classList.toggle('future', step > current);
        if (step === current) stateText = row.classList.contains('stuck') ? row.dataset.say : 'state after step ' + step + ': ' + row.cells[4].textContent;
      });
      document.getElementById('step-state').textContent = current === 0 ? 'before step 1: ' + (rows[0] ? rows[0].cells[3].textContent : '') : stateText;
    }
    stepper.querySelectorAll('button').forEach(function (button) {
      button.addEventListener('click', function () {
        var go = button.dataset.go;
        showStep(go === 'first' ? 0 : go === 'prev' ? current - 1 : go === 'next' ? current + 1 : lastStep);
      });
    });
    showStep(lastStep);
  }

  // Links to the per-key view open it.
  document.querySelectorAll('a[href="#per-key"]').forEach(function (link) {
    link.addEventListener('click', function () { var details = document.getElementById('per-key-details'); if (details) details.open = true; });
  });
  document.querySelectorAll('a[data-op]').forEach(function (link) {
    link.addEventListener('click', function (event) {
      var op = document.getElementById(link.getAttribute('data-op'));
      if (!op) return;
      event.preventDefault();
      op.scrollIntoView({ block: 'center', inline: 'center' });
      op.classList.remove('flash');
      void op.getBoundingClientRect();
      op.classList.add('flash');
      history.replaceState(null, '', '#' + op.id);
    });
  });
})();
`;
