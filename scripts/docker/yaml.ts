// The small YAML subset a compose file needs, written and read back: block mappings, block
// sequences of scalars, double-quoted strings (JSON escapes), integers, booleans, null, `[]` and
// `{}`, and `#` comment lines. Writing quotes every string, so nothing is ever read as another
// type (`no`, `1e3`, `08:00` stay strings). Reading exists so the generated file can be validated
// in a test without a YAML package; it rejects anything outside the subset with the line number.

export type YamlValue = string | number | boolean | null | YamlValue[] | { [key: string]: YamlValue };

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const INDENT = '  ';

function scalar(value: string | number | boolean | null): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`yaml: only safe integers are written, got ${value}`);
    return String(value);
  }
  return String(value);
}

function key(name: string): string {
  return PLAIN_KEY.test(name) ? name : JSON.stringify(name);
}

function isObject(value: YamlValue): value is { [key: string]: YamlValue } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function emit(value: YamlValue, depth: number, lines: string[]): void {
  const pad = INDENT.repeat(depth);
  if (Array.isArray(value)) {
    for (const item of value) {
      if (Array.isArray(item) || isObject(item)) throw new Error('yaml: sequences hold scalars only in this subset');
      lines.push(`${pad}- ${scalar(item)}`);
    }
    return;
  }
  if (!isObject(value)) throw new Error('yaml: a document is a mapping');
  for (const [name, item] of Object.entries(value)) {
    if (Array.isArray(item)) {
      if (item.length === 0) lines.push(`${pad}${key(name)}: []`);
      else {
        lines.push(`${pad}${key(name)}:`);
        emit(item, depth + 1, lines);
      }
    } else if (isObject(item)) {
      if (Object.keys(item).length === 0) lines.push(`${pad}${key(name)}: {}`);
      else {
        lines.push(`${pad}${key(name)}:`);
        emit(item, depth + 1, lines);
      }
    } else {
      lines.push(`${pad}${key(name)}: ${scalar(item)}`);
    }
  }
}

/** Writes a mapping as block YAML, with optional leading comment lines. */
export function toYaml(document: { [key: string]: YamlValue }, comments: readonly string[] = []): string {
  const lines = comments.map((line) => (line === '' ? '#' : `# ${line}`));
  emit(document, 0, lines);
  return `${lines.join('\n')}\n`;
}

export class YamlError extends Error {
  constructor(line: number, message: string) {
    super(`line ${line}: ${message}`);
    this.name = 'YamlError';
  }
}

interface Line {
  number: number;
  indent: number;
  text: string;
}

function parseScalar(text: string, line: number): YamlValue {
  if (text === '[]') return [];
  if (text === '{}') return {};
  if (text === 'null' || text === '~') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+$/.test(text)) return Number(text);
  if (text.startsWith('"')) {
    try {
      const value = JSON.parse(text) as unknown;
      if (typeof value === 'string') return value;
    } catch {
      // Fall through to the error below.
    }
    throw new YamlError(line, `malformed quoted string ${text}`);
  }
  throw new YamlError(line, `unquoted string ${JSON.stringify(text)} is outside the subset (quote it)`);
}

function parseKey(text: string, line: number): string {
  if (PLAIN_KEY.test(text)) return text;
  const value = parseScalar(text, line);
  if (typeof value !== 'string') throw new YamlError(line, `malformed key ${text}`);
  return value;
}

/** Reads a document of the subset `toYaml` writes. */
export function parseYaml(text: string): { [key: string]: YamlValue } {
  const lines: Line[] = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.includes('\t')) throw new YamlError(index + 1, 'tabs are not allowed for indentation');
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const indent = raw.length - raw.trimStart().length;
    lines.push({ number: index + 1, indent, text: trimmed });
  });
  let position = 0;

  const block = (indent: number): YamlValue => {
    const first = lines[position];
    if (first === undefined || first.indent !== indent) throw new YamlError(first?.number ?? 0, 'expected an indented block');
    if (first.text.startsWith('- ') || first.text === '-') {
      const items: YamlValue[] = [];
      while (position < lines.length && lines[position]!.indent === indent && lines[position]!.text.startsWith('- ')) {
        const line = lines[position]!;
        items.push(parseScalar(line.text.slice(2).trim(), line.number));
        position += 1;
      }
      return items;
    }
    const map: { [key: string]: YamlValue } = {};
    while (position < lines.length && lines[position]!.indent === indent) {
      const line = lines[position]!;
      const match = /^("(?:[^"\\]|\\.)*"|[^:\s][^:]*?):(?:\s+(.*))?$/.exec(line.text);
      if (!match) throw new YamlError(line.number, `expected "key: value", got ${JSON.stringify(line.text)}`);
      const name = parseKey(match[1]!, line.number);
      if (Object.hasOwn(map, name)) throw new YamlError(line.number, `duplicate key ${name}`);
      position += 1;
      let value: YamlValue;
      if (match[2] !== undefined && match[2] !== '') {
        value = parseScalar(match[2], line.number);
      } else {
        const next = lines[position];
        if (next === undefined || next.indent <= indent) throw new YamlError(line.number, `key ${name} has no value`);
        value = block(next.indent);
      }
      // Define rather than assign, so a key such as __proto__ is data, not the prototype.
      Object.defineProperty(map, name, { value, enumerable: true, writable: true, configurable: true });
    }
    const stray = lines[position];
    if (stray !== undefined && stray.indent > indent) throw new YamlError(stray.number, 'unexpected indentation');
    return map;
  };

  if (lines.length === 0) return {};
  const document = block(0);
  if (position !== lines.length) throw new YamlError(lines[position]!.number, 'unexpected content after the document');
  if (!isObject(document)) throw new YamlError(1, 'the document must be a mapping');
  return document;
}
