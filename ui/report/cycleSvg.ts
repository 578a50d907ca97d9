// One anomaly cycle of a transactional history drawn as a graph: the transactions as boxes (id,
// process, micro-ops), the dependency edges as labelled arrows (kind and key), laid out by elkjs so
// a person follows the cycle round; hovering an edge shows why it exists.
import type { ElkNode } from 'elkjs/lib/elk-api.js';
import type { TxnCycleView } from '../model/txnCycles.js';
import { HIGHLIGHT_COLOUR } from '../model/palette.js';
import { escapeHtml, px } from './markup.js';

const BOX_WIDTH_PX = 230;
const BOX_HEIGHT_PX = 44;
/** Micro-ops shown in a box, in characters; the full text is in the box's title. */
const OPS_CHARS_MAX = 34;

function shortened(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Lays the cycle out with elkjs and returns one SVG element. */
export async function renderCycleSvg(cycle: TxnCycleView, index: number): Promise<string> {
  const { default: ELK } = await import('elkjs/lib/elk.bundled.js');
  const elk = new ELK();
  const ids = cycle.txns.map((txn, position) => `c${index}-t${position}`);
  const graph: ElkNode = {
    id: `cycle-${index}`,
    layoutOptions: {
      'elk.algorithm': 'layered',
      'elk.direction': 'RIGHT',
      'elk.spacing.nodeNode': '30',
      'elk.layered.spacing.nodeNodeBetweenLayers': '120',
      'elk.padding': '[top=16,left=16,bottom=16,right=16]',
      'elk.edgeRouting': 'SPLINES',
    },
    children: ids.map((id) => ({ id, width: BOX_WIDTH_PX, height: BOX_HEIGHT_PX })),
    edges: cycle.edges.map((_, position) => ({ id: `c${index}-e${position}`, sources: [ids[position]!], targets: [ids[(position + 1) % ids.length]!] })),
  };
  const laid = await elk.layout(graph);
  const width = Math.max(260, (laid.width ?? 0) + 8);
  const height = Math.max(90, (laid.height ?? 0) + 8);
  const marker = `cycle-arrow-${index}`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" class="cycle" data-class="${escapeHtml(cycle.cls)}" width="${px(width)}" height="${px(height)}" viewBox="0 0 ${px(width)} ${px(height)}" role="img" aria-label="${escapeHtml(`${cycle.cls} cycle of ${cycle.txns.length} transactions`)}">`,
    `<defs><marker id="${marker}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${HIGHLIGHT_COLOUR}"/></marker></defs>`,
  ];
  // Boxes first, then the edges over them, so every arrowhead shows where it lands.
  (laid.children ?? []).forEach((child, position) => {
    const txn = cycle.txns[position]!;
    const x = child.x ?? 0;
    const y = child.y ?? 0;
    parts.push(
      `<g class="txn" data-txn="${txn.id}"${txn.invokeIndex === undefined ? '' : ` data-op="op-${txn.invokeIndex}"`}><title>${escapeHtml(`T${txn.id} (process ${txn.process}, ${txn.status}): ${txn.ops}`)}</title>` +
        `<rect x="${px(x)}" y="${px(y)}" width="${BOX_WIDTH_PX}" height="${BOX_HEIGHT_PX}" rx="6" fill="#fff" stroke="#555"/>` +
        `<text x="${px(x + 8)}" y="${px(y + 17)}" fill="#222" font-size="12"><tspan class="txn-id">T${txn.id}</tspan> process ${txn.process}${txn.status === 'ok' ? '' : ` (${escapeHtml(txn.status)})`}</text>` +
        `<text class="ops" x="${px(x + 8)}" y="${px(y + 34)}" fill="#444" font-size="11" font-family="monospace">${escapeHtml(shortened(txn.ops, OPS_CHARS_MAX))}</text></g>`,
    );
  });
  const boxAt = new Map((laid.children ?? []).map((child) => [child.id, { x: (child.x ?? 0) + BOX_WIDTH_PX / 2, y: (child.y ?? 0) + BOX_HEIGHT_PX / 2 }]));
  const distance = (a: { x: number; y: number }, b: { x: number; y: number }) => Math.hypot(a.x - b.x, a.y - b.y);
  for (const edge of laid.edges ?? []) {
    // By id, not by order: the layout need not keep the edges in the order given.
    const position = Number(edge.id.slice(edge.id.lastIndexOf('e') + 1));
    const why = cycle.edges[position]!;
    const source = boxAt.get(ids[position]!)!;
    const target = boxAt.get(ids[(position + 1) % ids.length]!)!;
    for (const section of edge.sections ?? []) {
      let points = [section.startPoint, ...(section.bendPoints ?? []), section.endPoint];
      // A back edge of the cycle may come out of the layout drawn from its target: the arrow must
      // still point at the transaction the edge goes to.
      if (distance(points[0]!, target) < distance(points[0]!, source)) points = points.reverse();
      const d = points.map((point, at) => `${at === 0 ? 'M' : 'L'}${px(point.x)},${px(point.y)}`).join(' ');
      // The label sits at the middle of the edge's longest leg, on the far side of it from the
      // boxes' middle: two edges between the same two boxes (a two-transaction cycle) run one
      // above the other, and each label then sits beside its own line.
      let leg = 0;
      for (let at = 1; at + 1 < points.length; at++) {
        const length = (p: number) => Math.hypot(points[p + 1]!.x - points[p]!.x, points[p + 1]!.y - points[p]!.y);
        if (length(at) > length(leg)) leg = at;
      }
      const mid = { x: (points[leg]!.x + points[leg + 1]!.x) / 2, y: (points[leg]!.y + points[leg + 1]!.y) / 2 };
      const labelY = mid.y < (source.y + target.y) / 2 ? mid.y - 6 : mid.y + 14;
      const label = `${why.kind}${why.key === undefined ? '' : ` ${why.key}`}`;
      parts.push(
        `<g class="edge ${escapeHtml(why.kind)}"><title>${escapeHtml(why.why)}</title>` +
          `<path d="${d}" fill="none" stroke="${HIGHLIGHT_COLOUR}" stroke-width="2" marker-end="url(#${marker})"/>` +
          `<path d="${d}" fill="none" stroke="transparent" stroke-width="12"/>` +
          `<text x="${px(mid.x)}" y="${px(labelY)}" text-anchor="middle" font-size="12" fill="${HIGHLIGHT_COLOUR}" stroke="#fff" stroke-width="3" paint-order="stroke">${escapeHtml(shortened(label, 28))}</text></g>`,
      );
    }
  }
  parts.push('</svg>');
  return parts.join('\n');
}
