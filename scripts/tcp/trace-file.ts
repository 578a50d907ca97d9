// A node's trace as JSON lines in a file: `{"time":ns,"node":"n1","kind":"...",...fields}`.
// Writes are buffered by the stream; past the size limit events are counted and dropped, so a
// chatty node cannot fill the disk under a long test.
import fs from 'node:fs';
import type { Nanos, NodeId, TraceFields } from '../../nodes/host.js';

/**
 * The first line of each process life in a trace file: that process's clock origin on the machine's
 * monotonic clock (a bigint as a string), so its events can be put on another process's clock.
 */
export const TRACE_EPOCH_KIND = 'trace.epoch';

export const TRACE_BYTES_MAX_DEFAULT = 256 * 1024 * 1024;
/** Bytes the stream may hold unwritten before events are dropped rather than buffered. */
const PENDING_BYTES_MAX = 8 * 1024 * 1024;

export class TraceFile {
  private readonly stream: fs.WriteStream;
  private writtenBytes = 0;
  dropped = 0;

  constructor(
    readonly file: string,
    private readonly bytesMax: number = TRACE_BYTES_MAX_DEFAULT,
  ) {
    this.stream = fs.createWriteStream(file, { flags: 'a' });
    this.stream.on('error', () => {
      this.dropped += 1;
    });
  }

  write(time: Nanos, node: NodeId, kind: string, fields: TraceFields | undefined): void {
    const line = `${JSON.stringify({ ...fields, time, node, kind })}\n`;
    if (this.writtenBytes + line.length > this.bytesMax || this.stream.writableLength > PENDING_BYTES_MAX) {
      this.dropped += 1;
      return;
    }
    this.writtenBytes += line.length;
    this.stream.write(line);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
