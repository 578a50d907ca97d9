// Splits a byte stream into lines with a hard limit on line length, so reading a 1 GB history (or a
// binary file given by mistake) holds at most one line in memory, never the whole file.

export class LineTooLongError extends Error {
  constructor(
    readonly lineNumber: number,
    readonly lineBytesMax: number,
  ) {
    super(`line ${lineNumber} is longer than ${lineBytesMax} bytes`);
    this.name = 'LineTooLongError';
  }
}

const NEWLINE = 0x0a;
const decoder = new TextDecoder('utf-8');

/** Decodes one line's bytes, without its trailing CR (CRLF files) and, on line 1, a UTF-8 BOM. */
function decodeLine(bytes: Uint8Array, lineNumber: number): string {
  let end = bytes.length;
  if (end > 0 && bytes[end - 1] === 0x0d) end -= 1;
  const text = decoder.decode(bytes.subarray(0, end));
  return lineNumber === 1 && text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

export class LineSplitter {
  /** Bytes of the line being assembled, across chunks. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** The number of the next line to come out, from 1. */
  private lineNext = 1;

  constructor(readonly lineBytesMax: number) {
    if (!Number.isSafeInteger(lineBytesMax) || lineBytesMax < 1) {
      throw new Error(`lineBytesMax must be a positive integer, got ${lineBytesMax}`);
    }
  }

  /** Feeds a chunk; calls `emit` for every line it completes, with the line's number (from 1). */
  push(chunk: Uint8Array, emit: (line: string, lineNumber: number) => void): void {
    let start = 0;
    while (start < chunk.length) {
      const newline = chunk.indexOf(NEWLINE, start);
      const end = newline === -1 ? chunk.length : newline;
      this.pendingBytes += end - start;
      if (this.pendingBytes > this.lineBytesMax) throw new LineTooLongError(this.lineNext, this.lineBytesMax);
      if (newline === -1) {
        // Copied, because a stream may reuse the chunk's memory after we return.
        this.pending.push(chunk.slice(start));
        return;
      }
      emit(this.takeLine(chunk.subarray(start, newline)), this.lineNext - 1);
      start = newline + 1;
    }
  }

  /** The last line when the input did not end with a newline, or undefined. */
  end(): { line: string; lineNumber: number } | undefined {
    if (this.pendingBytes === 0 && this.pending.length === 0) return undefined;
    const lineNumber = this.lineNext;
    return { line: this.takeLine(new Uint8Array(0)), lineNumber };
  }

  private takeLine(tail: Uint8Array): string {
    let bytes = tail;
    if (this.pending.length > 0) {
      bytes = new Uint8Array(this.pendingBytes);
      let offset = 0;
      for (const part of this.pending) {
        bytes.set(part, offset);
        offset += part.length;
      }
      bytes.set(tail, offset);
      if (offset + tail.length !== this.pendingBytes) throw new Error('line splitter lost bytes');
    }
    const line = decodeLine(bytes, this.lineNext);
    this.pending = [];
    this.pendingBytes = 0;
    this.lineNext += 1;
    return line;
  }
}
