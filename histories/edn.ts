// A reader and a printer for the subset of EDN that Jepsen, Knossos and Porcupine histories use:
// maps, vectors, lists, sets, keywords, strings, integers, floats, nil, true and false, with `;`
// comments and commas as whitespace. Anything else (tagged literals, characters, bare symbols) is an
// error naming the file, line and column, because a person fixes such a file by opening it there.
import { HistoryFormatError } from './jsonl.js';
import { VALUE_DEPTH_MAX } from './schema.js';

/** A keyword such as `:invoke`. Interned, so two equal keywords are the same object. */
export class Keyword {
  private constructor(readonly name: string) {}

  private static readonly table = new Map<string, Keyword>();

  static of(name: string): Keyword {
    let keyword = Keyword.table.get(name);
    if (keyword === undefined) {
      keyword = new Keyword(name);
      Keyword.table.set(name, keyword);
    }
    return keyword;
  }

  toString(): string {
    return `:${this.name}`;
  }
}

/** An EDN set `#{...}`, kept apart from vectors so it prints back as a set. */
export class EdnSet {
  constructor(readonly items: EdnValue[]) {}
}

/** EDN maps keep their keys as read; keywords are interned, so `map.get(Keyword.of('f'))` works. */
export type EdnMap = Map<EdnValue, EdnValue>;

export type EdnValue = null | boolean | number | string | Keyword | EdnSet | EdnMap | EdnValue[];

/** A syntax error at a place in the file: `file:line:column: problem`. */
export class EdnSyntaxError extends HistoryFormatError {
  constructor(file: string, line: number, readonly column: number, problem: string) {
    super(file, line, problem);
    this.name = 'EdnSyntaxError';
    this.message = `${file}:${line}:${column}: ${problem}`;
  }
}

export interface EdnDocument {
  /** The top-level forms, in order. */
  forms: EdnValue[];
  /** Where each map and vector began (a character offset), for errors that name a place. */
  offsets: WeakMap<object, number>;
  /** Turns an offset into the `file:line:column` error of a problem found after parsing. */
  errorAt(offset: number, problem: string): EdnSyntaxError;
}

/** Collections nest at most this deep; deeper input is a broken file, and recursion must stay bounded. */
export const EDN_DEPTH_MAX = VALUE_DEPTH_MAX;

const CH_NEWLINE = 10;
const CH_SEMICOLON = 59;
const CH_COMMA = 44;
const CH_QUOTE = 34;
const CH_BACKSLASH = 92;
const CH_COLON = 58;
const CH_HASH = 35;
const CH_MINUS = 45;
const CH_PLUS = 43;
const CH_0 = 48;
const CH_9 = 57;

function isWhitespace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13 || code === CH_COMMA || code === 12 || code === 0xfeff;
}

function isDelimiter(code: number): boolean {
  return (
    isWhitespace(code) ||
    code === 40 || code === 41 || code === 91 || code === 93 || code === 123 || code === 125 ||
    code === CH_QUOTE || code === CH_SEMICOLON || Number.isNaN(code)
  );
}

function isDigit(code: number): boolean {
  return code >= CH_0 && code <= CH_9;
}

const CLOSERS: Readonly<Record<number, number>> = { 40: 41, 91: 93, 123: 125 };

/** What `#_form` reads as: nothing, skipped by whatever collects forms. */
const DISCARDED: unique symbol = Symbol('discarded');

class Reader {
  private position = 0;
  private depth = 0;
  readonly offsets = new WeakMap<object, number>();

  constructor(
    private readonly text: string,
    private readonly file: string,
  ) {}

  errorAt(offset: number, problem: string): EdnSyntaxError {
    let line = 1;
    let lineStart = 0;
    for (let index = 0; index < offset && index < this.text.length; index += 1) {
      if (this.text.charCodeAt(index) === CH_NEWLINE) {
        line += 1;
        lineStart = index + 1;
      }
    }
    return new EdnSyntaxError(this.file, line, offset - lineStart + 1, problem);
  }

  /** Skips whitespace and comments; returns the next character code, or NaN at the end. */
  private skip(): number {
    const text = this.text;
    for (;;) {
      const code = text.charCodeAt(this.position);
      if (isWhitespace(code)) {
        this.position += 1;
      } else if (code === CH_SEMICOLON) {
        const end = text.indexOf('\n', this.position);
        this.position = end < 0 ? text.length : end + 1;
      } else {
        return code;
      }
    }
  }

  readAll(): EdnValue[] {
    const forms: EdnValue[] = [];
    while (!Number.isNaN(this.skip())) {
      const form = this.read();
      if (form !== DISCARDED) forms.push(form);
    }
    return forms;
  }

  private read(): EdnValue | typeof DISCARDED {
    const code = this.skip();
    const start = this.position;
    if (Number.isNaN(code)) throw this.errorAt(start, 'unexpected end of file (a collection is not closed)');
    switch (code) {
      case 123:
        return this.readMap(start);
      case 91:
      case 40:
        return this.readSequence(start, CLOSERS[code]!);
      case CH_QUOTE:
        return this.readString();
      case CH_COLON:
        return this.readKeyword();
      case CH_HASH:
        return this.readDispatch(start);
      case 41:
      case 93:
      case 125:
        throw this.errorAt(start, `unexpected "${String.fromCharCode(code)}" (no collection is open here)`);
      case CH_BACKSLASH:
        throw this.errorAt(start, 'EDN characters (\\c) are not supported in histories; write a string instead');
      default:
        if (isDigit(code) || ((code === CH_MINUS || code === CH_PLUS) && isDigit(this.text.charCodeAt(start + 1)))) {
          return this.readNumber();
        }
        return this.readSymbol();
    }
  }

  private enter(start: number): void {
    this.depth += 1;
    if (this.depth > EDN_DEPTH_MAX) throw this.errorAt(start, `collections nest deeper than ${EDN_DEPTH_MAX}`);
  }

  private readItems(start: number, closer: number): EdnValue[] {
    this.enter(start);
    this.position += 1;
    const items: EdnValue[] = [];
    for (;;) {
      const code = this.skip();
      if (code === closer) {
        this.position += 1;
        this.depth -= 1;
        return items;
      }
      if (Number.isNaN(code)) {
        throw this.errorAt(start, `"${this.text[start]}" is never closed (expected "${String.fromCharCode(closer)}")`);
      }
      if ((code === 41 || code === 93 || code === 125) && code !== closer) {
        throw this.errorAt(this.position, `"${String.fromCharCode(code)}" closes "${this.text[start]}"; expected "${String.fromCharCode(closer)}"`);
      }
      const item = this.read();
      if (item !== DISCARDED) items.push(item);
    }
  }

  private readSequence(start: number, closer: number): EdnValue[] {
    const items = this.readItems(start, closer);
    this.offsets.set(items, start);
    return items;
  }

  private readMap(start: number): EdnMap {
    const items = this.readItems(start, 125);
    if (items.length % 2 !== 0) throw this.errorAt(start, 'a map needs an even number of forms (a value for every key)');
    const map: EdnMap = new Map();
    const seen = new Set<unknown>();
    for (let index = 0; index < items.length; index += 2) {
      // EDN forbids a key twice; keeping the last would let `:type :ok :type :fail` hide an op's fate.
      const key = items[index]!;
      const identity = identityOf(key);
      if (seen.has(identity)) throw this.errorAt(start, `the map has the key ${printEdn(key).slice(0, 40)} twice; EDN maps hold each key once`);
      seen.add(identity);
      map.set(key, items[index + 1]!);
    }
    this.offsets.set(map, start);
    return map;
  }

  private readDispatch(start: number): EdnValue | typeof DISCARDED {
    const next = this.text.charCodeAt(start + 1);
    if (next === 123) {
      this.position += 1;
      const items = this.readItems(this.position, 125);
      const seen = new Set<unknown>();
      for (const item of items) {
        const identity = identityOf(item);
        if (seen.has(identity)) throw this.errorAt(start, `the set has ${printEdn(item).slice(0, 40)} twice; EDN sets hold each element once`);
        seen.add(identity);
      }
      const set = new EdnSet(items);
      this.offsets.set(set, start);
      return set;
    }
    if (next === 95) {
      // `#_form` discards the next form. A run of discards nests like collections do, and counts
      // against the same depth limit, so no input can exhaust the stack.
      this.position += 2;
      this.enter(start);
      if (this.read() === DISCARDED) throw this.errorAt(start, '#_ needs a form to discard');
      this.depth -= 1;
      return DISCARDED;
    }
    let end = start + 1;
    while (!isDelimiter(this.text.charCodeAt(end))) end += 1;
    throw this.errorAt(start, `tagged literal "${this.text.slice(start, end)}" is not supported in histories`);
  }

  private readString(): string {
    const text = this.text;
    const start = this.position;
    let index = start + 1;
    let plainStart = index;
    let result = '';
    for (;;) {
      const code = text.charCodeAt(index);
      if (Number.isNaN(code)) throw this.errorAt(start, 'string is never closed (missing ")');
      if (code === CH_QUOTE) break;
      if (code === CH_BACKSLASH) {
        result += text.slice(plainStart, index);
        const escape = text[index + 1];
        switch (escape) {
          case 'n': result += '\n'; break;
          case 't': result += '\t'; break;
          case 'r': result += '\r'; break;
          case 'b': result += '\b'; break;
          case 'f': result += '\f'; break;
          case '"': result += '"'; break;
          case '\\': result += '\\'; break;
          case 'u': {
            const hex = text.slice(index + 2, index + 6);
            if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw this.errorAt(index, `bad unicode escape "\\u${hex}"`);
            result += String.fromCharCode(Number.parseInt(hex, 16));
            index += 4;
            break;
          }
          default:
            throw this.errorAt(index, `unknown string escape "\\${escape ?? ''}"`);
        }
        index += 2;
        plainStart = index;
        continue;
      }
      index += 1;
    }
    result += text.slice(plainStart, index);
    this.position = index + 1;
    return result;
  }

  private token(): string {
    const start = this.position;
    let end = start;
    while (!isDelimiter(this.text.charCodeAt(end))) end += 1;
    this.position = end;
    return this.text.slice(start, end);
  }

  private readKeyword(): Keyword {
    const start = this.position;
    this.position += 1;
    const name = this.token();
    if (name.length === 0 || name.startsWith(':')) throw this.errorAt(start, `bad keyword ":${name}"`);
    return Keyword.of(name);
  }

  private readNumber(): number {
    const start = this.position;
    const token = this.token();
    if (/^[-+]?\d+N?$/.test(token)) {
      const value = Number(token.endsWith('N') ? token.slice(0, -1) : token);
      if (!Number.isSafeInteger(value)) throw this.errorAt(start, `integer ${token} is too large (the limit is ${Number.MAX_SAFE_INTEGER})`);
      return value;
    }
    if (/^[-+]?\d+(\.\d*)?([eE][-+]?\d+)?M?$/.test(token)) {
      const value = Number(token.endsWith('M') ? token.slice(0, -1) : token);
      if (!Number.isFinite(value)) throw this.errorAt(start, `number ${token} is out of range (beyond a double's ${Number.MAX_VALUE})`);
      return value;
    }
    throw this.errorAt(start, `"${token}" is not a number EDN histories use (integers and decimals only)`);
  }

  private readSymbol(): EdnValue {
    const start = this.position;
    const token = this.token();
    if (token === 'nil') return null;
    if (token === 'true') return true;
    if (token === 'false') return false;
    if (token.length === 0) throw this.errorAt(start, `unexpected "${this.text[start]}"`);
    throw this.errorAt(start, `symbol "${token}" is not supported in histories (only nil, true and false; did you mean :${token}?)`);
  }
}

/** What makes two keys the same: primitives and interned keywords as they are, collections by their printed form. */
function identityOf(value: EdnValue): unknown {
  return value !== null && typeof value === 'object' && !(value instanceof Keyword) ? `\u0000${printEdn(value)}` : value;
}

/** Reads every top-level form of an EDN text; `file` names it in errors. */
export function parseEdn(text: string, file = 'history.edn'): EdnDocument {
  const reader = new Reader(text, file);
  const forms = reader.readAll();
  return { forms, offsets: reader.offsets, errorAt: (offset, problem) => reader.errorAt(offset, problem) };
}

/**
 * The plain JSON-like value of an EDN value: keywords become their names without the colon,
 * vectors, lists and sets become arrays, maps become objects keyed by the names of their keys.
 */
export function ednToPlain(value: EdnValue): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Keyword) return value.name;
  if (Array.isArray(value)) return value.map(ednToPlain);
  if (value instanceof EdnSet) return value.items.map(ednToPlain);
  const object: Record<string, unknown> = {};
  for (const [key, item] of value) {
    const name = key instanceof Keyword ? key.name : typeof key === 'string' || typeof key === 'number' ? String(key) : printEdn(key);
    object[name] = ednToPlain(item);
  }
  return object;
}

const KEYWORD_NAME = /^[A-Za-z*+!_?<>=.][A-Za-z0-9*+!_?<>=.\-/]*$/;

function printString(text: string): string {
  return `"${text.replace(/[\\"\n\t\r]/g, (char) => (char === '\n' ? '\\n' : char === '\t' ? '\\t' : char === '\r' ? '\\r' : `\\${char}`))}"`;
}

/** Prints an EDN value on one line, the way Clojure's `pr-str` would. */
export function printEdn(value: EdnValue): string {
  if (value === null) return 'nil';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`printEdn: ${value} has no EDN form`);
    return String(value);
  }
  if (typeof value === 'string') return printString(value);
  if (value instanceof Keyword) return `:${value.name}`;
  if (Array.isArray(value)) return `[${value.map(printEdn).join(' ')}]`;
  if (value instanceof EdnSet) return `#{${value.items.map(printEdn).join(' ')}}`;
  const pairs: string[] = [];
  for (const [key, item] of value) pairs.push(`${printEdn(key)} ${printEdn(item)}`);
  return `{${pairs.join(', ')}}`;
}

/**
 * The EDN form of a plain value: strings stay strings, arrays become vectors and objects become
 * maps with keyword keys (so a history's values print back as Jepsen writes them).
 */
export function plainToEdn(value: unknown): EdnValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`plainToEdn: ${value} has no EDN form`);
    return value;
  }
  if (Array.isArray(value)) return value.map(plainToEdn);
  if (typeof value === 'object') {
    const map: EdnMap = new Map();
    for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
      map.set(KEYWORD_NAME.test(key) ? Keyword.of(key) : key, plainToEdn(item));
    }
    return map;
  }
  throw new Error(`plainToEdn: a ${typeof value} has no EDN form`);
}

/** A name as a keyword when it can be one (`read` -> `:read`), else as a string. */
export function nameToEdn(name: string): EdnValue {
  return KEYWORD_NAME.test(name) ? Keyword.of(name) : name;
}
