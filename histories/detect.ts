// Reads a history file of any format we know, telling the format from the content (a file name says
// little: Porcupine's logs are `.txt` and `.log`). `--format` forces one.
import { readEdnHistory } from './edn-history.js';
import { parseJsonl } from './jsonl.js';
import { isEtcdOpLine, readEtcdLog, readPorcupineKv } from './porcupine.js';
import type { History } from './schema.js';

export const HISTORY_FORMATS = ['jsonl', 'edn', 'porcupine-kv', 'porcupine-etcd'] as const;
export type HistoryFormat = (typeof HISTORY_FORMATS)[number];

/** Detection looks at most at this many lines: a Jepsen log starts with noise before its first op. */
const DETECT_LINES_MAX = 5000;

export function isHistoryFormat(name: string): name is HistoryFormat {
  return (HISTORY_FORMATS as readonly string[]).includes(name);
}

/** The format of a history text, or null when the content matches none. */
export function detectFormat(text: string): HistoryFormat | null {
  const lines = text.split('\n', DETECT_LINES_MAX);
  // A Jepsen log may print EDN (the test map) before its first op line, so op lines are looked for first.
  if (lines.some(isEtcdOpLine)) return 'porcupine-etcd';
  for (const raw of lines) {
    const line = raw.replace(/^\uFEFF/, '').trim();
    if (line.length === 0 || line.startsWith(';')) continue;
    if (line.startsWith('{"')) return 'jsonl';
    if (line.startsWith('{:') && line.endsWith('}') && /:key\s/.test(line)) return 'porcupine-kv';
    if (/^[[({]/.test(line)) return 'edn';
    return null;
  }
  return null;
}

/** Reads a history in the given format. */
export function readHistoryAs(text: string, file: string, format: HistoryFormat): History {
  switch (format) {
    case 'jsonl':
      return parseJsonl(text, file);
    case 'edn':
      return readEdnHistory(text, file);
    case 'porcupine-kv':
      return readPorcupineKv(text, file);
    case 'porcupine-etcd':
      return readEtcdLog(text, file);
  }
}

export class UnknownFormatError extends Error {
  constructor(readonly file: string) {
    super(`${file}: cannot tell the history format from its content; pass --format ${HISTORY_FORMATS.join('|')}`);
    this.name = 'UnknownFormatError';
  }
}

/** Reads a history, detecting its format unless one is given. */
export function readHistory(text: string, file: string, format?: HistoryFormat): { format: HistoryFormat; history: History } {
  const chosen = format ?? detectFormat(text);
  if (chosen === null) throw new UnknownFormatError(file);
  return { format: chosen, history: readHistoryAs(text, file, chosen) };
}
