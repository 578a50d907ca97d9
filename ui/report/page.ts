// The report page's fixed parts: its stylesheet and its small script (hover details and the jump to
// the first violation). Both are inlined, so the file opens with no network at all.
import { FAULT_COLOURS, HIGHLIGHT_COLOUR, OUTCOME_COLOURS } from '../model/palette.js';

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
svg.timeline .lane-head { font-weight: 700; font-size: 11.5px; }
svg.timeline .lane-procs { fill: #6b7385; }
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
svg.sequence .msg-label { fill: #4a5263; font-size: 9.5px; }
svg.sequence .seq-time { fill: #8a91a0; font-size: 9.5px; }
svg.sequence .mark-label { font-size: 9.5px; fill: #4a5263; }
.evidence td.op { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12.5px; }
.evidence tr.stuck td { color: #b0183f; font-weight: 600; }
#tooltip { position: fixed; pointer-events: none; background: #1d2330; color: #f2f4f8; padding: 7px 10px; border-radius: 6px; font: 12px/1.4 ui-monospace, Menlo, monospace; white-space: pre; display: none; z-index: 10; max-width: 60vw; }
`;

/** Hover details for anything with a <title> in the timeline, and a smooth jump that flashes the op. */
export const REPORT_SCRIPT = `
(function () {
  var tip = document.getElementById('tooltip');
  document.addEventListener('mouseover', function (event) {
    var target = event.target.closest && event.target.closest('svg.timeline .op, svg.timeline .fault-band, svg.timeline .fault-point, svg.sequence g, svg.topology g');
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
  // Diagrams open scrolled to the moment that matters.
  document.querySelectorAll('.scroll').forEach(function (box) {
    var focus = box.querySelector('.focus');
    if (!focus) return;
    var top = focus.getBoundingClientRect().top - box.getBoundingClientRect().top;
    box.scrollTop = Math.max(0, top - box.clientHeight / 3);
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
