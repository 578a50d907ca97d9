// What JSON.parse said, as one line: V8 quotes a piece of the input in its message, and that piece
// may hold newlines or control characters, which would break the one-line error a user is owed.

/** The parse error's message on one line, at most `charsMax` characters. */
export function jsonProblem(error: unknown, charsMax = 160): string {
  const message = error instanceof Error ? error.message : String(error);
  const flat = message.replace(/[\s\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length <= charsMax ? flat : `${flat.slice(0, charsMax - 1)}…`;
}
