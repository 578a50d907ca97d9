// Reads the module specifiers a TypeScript file imports (static, side-effect, dynamic, require and
// `export ... from`), ignoring anything inside comments and strings.
import { lineOf, stripCommentsAndStrings, type StrippedSource } from './strip.js';

export interface ImportSite {
  specifier: string;
  line: number;
  /** The code of the statement before the specifier (`import { a, b } from`), for named-import checks. */
  clause: string;
}

const PATTERNS: readonly RegExp[] = [
  /(?<![\w$.])from\s*(['"])/g,
  /(?<![\w$.])import\s*(['"])/g,
  /(?<![\w$.])import\s*\(\s*(['"`])/g,
  /(?<![\w$.])require\s*\(\s*(['"`])/g,
];

export function findImports(text: string, stripped: StrippedSource = stripCommentsAndStrings(text)): ImportSite[] {
  const sites: ImportSite[] = [];
  for (const pattern of PATTERNS) {
    for (const match of stripped.code.matchAll(pattern)) {
      const quote = match.index + match[0].length - 1;
      const specifier = stripped.strings.get(quote);
      // A template with `${}` in a dynamic import has no fixed specifier; nothing to check.
      if (specifier === undefined) continue;
      const statementStart = Math.max(
        stripped.code.lastIndexOf(';', match.index),
        stripped.code.lastIndexOf('\n\n', match.index),
        0,
      );
      sites.push({ specifier, line: lineOf(text, match.index), clause: stripped.code.slice(statementStart, match.index) });
    }
  }
  return sites.sort((a, b) => a.line - b.line);
}
