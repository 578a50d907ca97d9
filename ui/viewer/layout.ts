// How the terminal is divided between the panes. Pure, so the reducer (page sizes, scrolling) and
// the components (drawing) always agree on how many rows each pane has.

export interface RunLayout {
  /** Rows of the header: title, checker verdicts, node status. */
  headerRows: number;
  /** Content rows of each pane (each pane also has one title row). */
  timelineRows: number;
  evidenceRows: number;
  traceRows: number;
}

export interface ListLayout {
  headerRows: number;
  listRows: number;
}

/** The smallest terminal the viewer draws in; below it panes get one row each. */
export const ROWS_MIN = 12;
export const COLS_MIN = 40;
/** The status line at the bottom. */
const STATUS_ROWS = 1;
const TITLE_ROWS = 1;

export function runLayout(rows: number, hasViolation: boolean): RunLayout {
  const total = Math.max(rows, ROWS_MIN);
  // Title, checker verdicts, and each node's status at the cursor.
  const headerRows = 3;
  const body = total - headerRows - STATUS_ROWS - 3 * TITLE_ROWS;
  // The evidence gets more room when there is something to show; the timeline always gets most.
  const evidenceRows = Math.max(1, Math.floor(body * (hasViolation ? 0.28 : 0.1)));
  const traceRows = Math.max(1, Math.floor(body * 0.2));
  const timelineRows = Math.max(1, body - evidenceRows - traceRows);
  return { headerRows, timelineRows, evidenceRows, traceRows };
}

export function listLayout(rows: number): ListLayout {
  const total = Math.max(rows, ROWS_MIN);
  const headerRows = 2;
  return { headerRows, listRows: Math.max(1, total - headerRows - STATUS_ROWS) };
}
