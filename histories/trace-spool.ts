// A run's trace spooled to a file beside the store while the run runs, one JSON event per line, so
// a soak of hours holds one chunk of its trace in memory, never the whole of it. When the run is
// kept, the store copies the spool into its trace table by reading it back line by line (the same
// rows a held trace gives); either way the spool file is removed after.
import { closeSync, mkdirSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { TraceEvent } from '../nodes/host.js';
import { LineSplitter } from './line-splitter.js';

/** Bytes read from a spool file at a time. */
const READ_CHUNK_BYTES = 1 << 20;
/** A trace event's line is at most this long (a message's fields are small; a node log could be larger). */
const LINE_BYTES_MAX = 16 << 20;

/** Where the spools of a store live: a folder beside the store file. */
export function spoolFolder(storePath: string): string {
  return join(dirname(storePath), 'spool');
}

export class TraceSpool {
  private fd: number | null;
  /** Events written so far. */
  count = 0;

  /** Creates (or truncates) the spool at `path`, its folder too. */
  constructor(readonly path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
  }

  /** A spool in the store's spool folder, named for this process and a counter so parallel runs never share one. */
  static beside(storePath: string, name: string): TraceSpool {
    return new TraceSpool(join(spoolFolder(storePath), `${name}-${process.pid}.trace.jsonl`));
  }

  /** Appends a chunk: one string per chunk, one write, so a chunk costs one system call. */
  write(events: readonly TraceEvent[]): void {
    if (this.fd === null) throw new Error(`${this.path}: trace spool written after close`);
    if (events.length === 0) return;
    let text = '';
    for (const event of events) text += `${JSON.stringify(event)}\n`;
    writeSync(this.fd, text);
    this.count += events.length;
  }

  close(): void {
    if (this.fd === null) return;
    closeSync(this.fd);
    this.fd = null;
  }

  /** The events back, in order, read a chunk at a time (close first). */
  events(): Iterable<TraceEvent> {
    if (this.fd !== null) throw new Error(`${this.path}: close the spool before reading it`);
    return readSpool(this.path);
  }

  /** Closes and deletes the file. */
  remove(): void {
    this.close();
    rmSync(this.path, { force: true });
  }
}

/** Reads a spool file's events lazily: at most one read chunk and its lines are held at a time. */
export function* readSpool(path: string): Generator<TraceEvent> {
  const fd = openSync(path, 'r');
  try {
    const splitter = new LineSplitter(LINE_BYTES_MAX);
    const chunk = new Uint8Array(READ_CHUNK_BYTES);
    const lines: string[] = [];
    for (;;) {
      const bytes = readSync(fd, chunk, 0, READ_CHUNK_BYTES, null);
      if (bytes === 0) break;
      splitter.push(chunk.subarray(0, bytes), (line) => lines.push(line));
      for (const line of lines) yield JSON.parse(line) as TraceEvent;
      lines.length = 0;
    }
    const last = splitter.end();
    if (last !== undefined && last.line !== '') throw new Error(`${path}: line ${last.lineNumber} has no newline: the spool was cut short`);
  } finally {
    closeSync(fd);
  }
}
