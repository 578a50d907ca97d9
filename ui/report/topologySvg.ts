// The cluster topology at the moment that matters (the first violation, or the end of the run),
// laid out by elkjs when the report is written and embedded as SVG: the sides of a partition as
// boxes, crashed nodes greyed out, paused nodes dashed, cut links red and dashed.
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { ClusterAt } from '../model/cluster.js';
import { FAULT_COLOURS, HIGHLIGHT_COLOUR } from '../model/palette.js';
import { escapeHtml, ms, px } from './markup.js';

const NODE_WIDTH_PX = 64;
const NODE_HEIGHT_PX = 38;

interface Point {
  x: number;
  y: number;
}

/** Lays the cluster out with elkjs and returns one SVG element. */
export async function renderTopologySvg(cluster: ClusterAt): Promise<string> {
  if (cluster.nodes.length === 0) return '<p class="muted">No server nodes are named in this run, so there is no topology to draw.</p>';
  // elkjs is a large bundle: loaded when a topology is drawn, not when any command starts.
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const leaf = (id: string): ElkNode => ({ id, width: NODE_WIDTH_PX, height: NODE_HEIGHT_PX });
  let graph: ElkNode;
  if (cluster.groups.length > 0) {
    // The sides of a partition as compound nodes, left to right; a node in no side (a bridge)
    // stands between them.
    const grouped = new Set(cluster.groups.flat());
    const loose = cluster.nodes.filter((node) => !grouped.has(node));
    const children: ElkNode[] = cluster.groups.map((group, index) => ({
      id: `side-${index}`,
      layoutOptions: { 'elk.padding': '[top=26,left=14,bottom=14,right=14]', 'elk.algorithm': 'layered', 'elk.direction': 'DOWN' },
      children: group.map(leaf),
    }));
    children.splice(1, 0, ...loose.map(leaf));
    const order = children.map((child) => child.id);
    graph = {
      id: 'root',
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'RIGHT',
        'elk.hierarchyHandling': 'INCLUDE_CHILDREN',
        'elk.spacing.nodeNode': '26',
        'elk.layered.spacing.nodeNodeBetweenLayers': '90',
        'elk.padding': '[top=16,left=16,bottom=16,right=16]',
      },
      children,
      // Chain edges only order the sides; the links drawn are the cluster's, not these.
      edges: order.slice(1).map((id, index) => ({ id: `order-${index}`, sources: [order[index]!], targets: [id] })),
    };
  } else {
    const edges = [];
    for (let i = 0; i < cluster.nodes.length; i++) {
      for (let j = i + 1; j < cluster.nodes.length; j++) edges.push({ id: `e-${i}-${j}`, sources: [cluster.nodes[i]!], targets: [cluster.nodes[j]!] });
    }
    graph = {
      id: 'root',
      layoutOptions: { 'elk.algorithm': 'stress', 'elk.stress.desiredEdgeLength': '120', 'elk.padding': '[top=16,left=16,bottom=16,right=16]' },
      children: cluster.nodes.map(leaf),
      edges,
    };
  }
  const laid = await elk.layout(graph);
  const centres = new Map<string, Point>();
  const boxes: { id: string; x: number; y: number; width: number; height: number }[] = [];
  const visit = (node: ElkNode, offsetX: number, offsetY: number): void => {
    for (const child of node.children ?? []) {
      const x = offsetX + (child.x ?? 0);
      const y = offsetY + (child.y ?? 0);
      if (child.children !== undefined && child.children.length > 0) {
        boxes.push({ id: child.id, x, y, width: child.width ?? 0, height: child.height ?? 0 });
        visit(child, x, y);
      } else {
        centres.set(child.id, { x: x + (child.width ?? NODE_WIDTH_PX) / 2, y: y + (child.height ?? NODE_HEIGHT_PX) / 2 });
      }
    }
  };
  visit(laid, 0, 0);
  const width = Math.max(200, (laid.width ?? 0) + 8);
  const height = Math.max(120, (laid.height ?? 0) + 8);
  const parts: string[] = [`<svg xmlns="http://www.w3.org/2000/svg" class="topology" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" role="img" aria-label="cluster topology">`];
  parts.push(`<defs><marker id="cut-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${HIGHLIGHT_COLOUR}"/></marker></defs>`);
  boxes.forEach((box, index) => {
    parts.push(`<rect class="side" x="${px(box.x)}" y="${px(box.y)}" width="${px(box.width)}" height="${px(box.height)}" rx="8" fill="${FAULT_COLOURS.partition}" fill-opacity="0.08" stroke="${FAULT_COLOURS.partition}"/>`);
    parts.push(`<text class="side-label" x="${px(box.x + 8)}" y="${px(box.y + 17)}">side ${String.fromCharCode(65 + index)}</text>`);
  });
  // Links: every pair of servers; cut ones red and dashed, one-way cuts with an arrow.
  const cutKey = new Map<string, { oneWay: boolean; from: string }>();
  for (const cut of cluster.cuts) cutKey.set([cut.from, cut.to].sort().join('|'), { oneWay: cut.oneWay, from: cut.from });
  for (let i = 0; i < cluster.nodes.length; i++) {
    for (let j = i + 1; j < cluster.nodes.length; j++) {
      const a = cluster.nodes[i]!;
      const b = cluster.nodes[j]!;
      const pa = centres.get(a);
      const pb = centres.get(b);
      if (pa === undefined || pb === undefined) continue;
      const cut = cutKey.get([a, b].sort().join('|'));
      if (cut === undefined) {
        parts.push(`<line class="link" x1="${px(pa.x)}" y1="${px(pa.y)}" x2="${px(pb.x)}" y2="${px(pb.y)}"/>`);
      } else {
        const [from, to] = cut.from === a ? [pa, pb] : [pb, pa];
        const arrow = cut.oneWay ? ' marker-end="url(#cut-arrow)"' : '';
        const title = cut.oneWay ? `${cut.from} cannot send to ${cut.from === a ? b : a}` : `${a} and ${b} cannot reach each other`;
        parts.push(`<g class="cut"><title>${escapeHtml(title)}</title><line x1="${px(from.x)}" y1="${px(from.y)}" x2="${px(to.x)}" y2="${px(to.y)}" stroke="${HIGHLIGHT_COLOUR}" stroke-width="2" stroke-dasharray="6 4"${arrow}/>` +
          `<text x="${px((from.x + to.x) / 2)}" y="${px((from.y + to.y) / 2 + 4)}" text-anchor="middle" fill="${HIGHLIGHT_COLOUR}">✕</text></g>`);
      }
    }
  }
  for (const node of cluster.nodes) {
    const centre = centres.get(node);
    if (centre === undefined) continue;
    const crashed = cluster.crashed.includes(node);
    const paused = cluster.paused.includes(node);
    const state = crashed ? 'crashed' : paused ? 'paused' : 'up';
    parts.push(
      `<g class="node ${state}" data-node="${escapeHtml(node)}"><title>${escapeHtml(`${node}: ${state} at ${ms(cluster.timeNs)}`)}</title>` +
        `<rect x="${px(centre.x - NODE_WIDTH_PX / 2)}" y="${px(centre.y - NODE_HEIGHT_PX / 2)}" width="${NODE_WIDTH_PX}" height="${NODE_HEIGHT_PX}" rx="6"/>` +
        `<text x="${px(centre.x)}" y="${px(centre.y + (state === 'up' ? 4 : -1))}" text-anchor="middle">${escapeHtml(node)}</text>` +
        (state === 'up' ? '' : `<text class="state" x="${px(centre.x)}" y="${px(centre.y + 12)}" text-anchor="middle">${state}</text>`) +
        '</g>',
    );
  }
  parts.push('</svg>');
  return parts.join('\n');
}
