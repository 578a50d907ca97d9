// A library user may install Crucible without the CLI's store, viewer or report packages; the CLI
// then names the one it needs instead of crashing with a stack.
import { describe, expect, it } from 'vitest';
import { missingOptionalPackage } from '../crucible.js';

function notFound(message: string): Error {
  return Object.assign(new Error(message), { code: 'ERR_MODULE_NOT_FOUND' });
}

describe('a missing optional package', () => {
  it('is named when the store, the viewer or the report cannot load', () => {
    expect(missingOptionalPackage(notFound("Cannot find package 'better-sqlite3' imported from /x/dist/histories/store.js"))).toBe('better-sqlite3');
    expect(missingOptionalPackage(notFound("Cannot find package 'ink' imported from /x/dist/ui/viewer.js"))).toBe('ink');
    expect(missingOptionalPackage(notFound("Cannot find module 'elkjs/lib/elk.bundled.js' imported from /x"))).toBe('elkjs');
  });

  it('is not blamed for other errors', () => {
    expect(missingOptionalPackage(notFound("Cannot find package 'zod' imported from /x"))).toBeNull();
    expect(missingOptionalPackage(new Error("Cannot find package 'ink'"))).toBeNull();
  });
});
