// Escaping and number formatting for the HTML report. Every piece of text that came from a run
// (values, node names, evidence) passes through `escapeHtml` before it reaches the page.

const ESCAPES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char]!);
}

/** A number for an SVG attribute: at most one decimal, no exponent. */
export function px(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`not a finite coordinate: ${value}`);
  return (Math.round(value * 10) / 10).toString();
}

/** JSON safe to embed in a <script> element or an attribute (no `</script>`, no raw `<`). */
export function embedJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Milliseconds with three decimals, from nanoseconds. */
export function ms(ns: number): string {
  return `${(ns / 1_000_000).toFixed(3)}ms`;
}
