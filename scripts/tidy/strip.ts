// A small TypeScript tokenizer for the tidy lint: blanks out comments and the contents of string,
// template and regular-expression literals (keeping newlines, so offsets and line numbers hold),
// and keeps each string literal's text by offset, so imports can still be read.

export interface StrippedSource {
  /** Same length as the input; comments and literal contents are spaces, newlines kept. */
  code: string;
  /** The raw text of each string literal (and template without `${}`), by the offset of its opening quote. */
  strings: Map<number, string>;
}

/** Keywords after which a `/` starts a regular expression rather than a division. */
const REGEX_AFTER_WORDS: ReadonlySet<string> = new Set([
  'return', 'typeof', 'case', 'do', 'else', 'in', 'of', 'void', 'yield', 'await', 'delete', 'throw', 'new', 'instanceof',
]);
const REGEX_AFTER_CHARS = '(,=:[!&|?{};+-*%<>~^';

function isIdentifierChar(char: string | undefined): boolean {
  return char !== undefined && /[\w$]/.test(char);
}

export function stripCommentsAndStrings(text: string): StrippedSource {
  const out = text.split('');
  const strings = new Map<number, string>();
  const blank = (from: number, to: number): void => {
    for (let k = from; k < to; k += 1) if (out[k] !== '\n') out[k] = ' ';
  };
  // Brace depth inside each open template `${ ... }`, innermost last.
  const templateDepths: number[] = [];
  let i = 0;

  /** A `/` starts a regex when what precedes it cannot end an expression. */
  const regexAllowed = (at: number): boolean => {
    let k = at - 1;
    while (k >= 0 && /\s/.test(out[k]!)) k -= 1;
    if (k < 0) return true;
    const char = out[k]!;
    if (REGEX_AFTER_CHARS.includes(char)) return true;
    if (!isIdentifierChar(char)) return false;
    let start = k;
    while (start > 0 && isIdentifierChar(out[start - 1])) start -= 1;
    return REGEX_AFTER_WORDS.has(out.slice(start, k + 1).join(''));
  };

  /** Scans template text from `i` (just after a backtick or a closing `}`) to `${` or the closing backtick. */
  const scanTemplate = (start: number, quote: number | null): void => {
    let k = start;
    while (k < text.length) {
      const char = text[k]!;
      if (char === '\\') {
        k += 2;
        continue;
      }
      if (char === '`') {
        blank(start, k);
        if (quote !== null) strings.set(quote, text.slice(start, k));
        i = k + 1;
        return;
      }
      if (char === '$' && text[k + 1] === '{') {
        blank(start, k);
        templateDepths.push(0);
        i = k + 2;
        return;
      }
      k += 1;
    }
    blank(start, text.length);
    i = text.length;
  };

  while (i < text.length) {
    const char = text[i]!;
    const next = text[i + 1];
    if (char === '/' && next === '/') {
      const end = text.indexOf('\n', i);
      const stop = end === -1 ? text.length : end;
      blank(i, stop);
      i = stop;
    } else if (char === '/' && next === '*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end === -1 ? text.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (char === '"' || char === "'") {
      let k = i + 1;
      while (k < text.length && text[k] !== char && text[k] !== '\n') k += text[k] === '\\' ? 2 : 1;
      strings.set(i, text.slice(i + 1, Math.min(k, text.length)));
      blank(i + 1, Math.min(k, text.length));
      i = k + 1;
    } else if (char === '`') {
      scanTemplate(i + 1, i);
    } else if (char === '/' && regexAllowed(i)) {
      let k = i + 1;
      let inClass = false;
      while (k < text.length && text[k] !== '\n') {
        const c = text[k]!;
        if (c === '\\') k += 1;
        else if (c === '[') inClass = true;
        else if (c === ']') inClass = false;
        else if (c === '/' && !inClass) break;
        k += 1;
      }
      blank(i + 1, Math.min(k, text.length));
      i = k + 1;
    } else if (templateDepths.length > 0 && (char === '{' || char === '}')) {
      const top = templateDepths.length - 1;
      if (char === '{') {
        templateDepths[top] = templateDepths[top]! + 1;
        i += 1;
      } else if (templateDepths[top] === 0) {
        templateDepths.pop();
        scanTemplate(i + 1, null);
      } else {
        templateDepths[top] = templateDepths[top]! - 1;
        i += 1;
      }
    } else {
      i += 1;
    }
  }
  const code = out.join('');
  if (code.length !== text.length) throw new Error('stripCommentsAndStrings changed the length of the text');
  return { code, strings };
}

/** 1-based line number of an offset. */
export function lineOf(text: string, offset: number): number {
  let line = 1;
  for (let k = 0; k < offset; k += 1) if (text.charCodeAt(k) === 10) line += 1;
  return line;
}
