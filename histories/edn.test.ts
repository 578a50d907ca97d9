import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EdnSet, EdnSyntaxError, Keyword, ednToPlain, parseEdn, printEdn, plainToEdn, type EdnValue } from './edn.js';

function one(text: string): EdnValue {
  const { forms } = parseEdn(text, 'test.edn');
  expect(forms).toHaveLength(1);
  return forms[0]!;
}

function syntaxError(text: string): EdnSyntaxError {
  try {
    parseEdn(text, 'bad.edn');
  } catch (error) {
    expect(error).toBeInstanceOf(EdnSyntaxError);
    return error as EdnSyntaxError;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(text)}`);
}

describe('EDN reader', () => {
  it('reads the forms Jepsen histories use', () => {
    const value = one('{:process 3, :type :ok, :f :cas, :value [1 -4], :key "k\\"1\\n", :time 12N, :x 1.5, :y nil, :z true, :w (false)}') as Map<EdnValue, EdnValue>;
    expect(value.get(Keyword.of('process'))).toBe(3);
    expect(value.get(Keyword.of('type'))).toBe(Keyword.of('ok'));
    expect(value.get(Keyword.of('value'))).toEqual([1, -4]);
    expect(value.get(Keyword.of('key'))).toBe('k"1\n');
    expect(value.get(Keyword.of('time'))).toBe(12);
    expect(value.get(Keyword.of('x'))).toBe(1.5);
    expect(value.get(Keyword.of('y'))).toBeNull();
    expect(value.get(Keyword.of('z'))).toBe(true);
    expect(value.get(Keyword.of('w'))).toEqual([false]);
  });

  it('skips comments, commas and discarded forms, and reads sets', () => {
    const { forms } = parseEdn('; a history\n[1, 2 ; two\n #_ :gone 3 #_[4]]\n#{:a :b} #_5', 'test.edn');
    expect(forms[0]).toEqual([1, 2, 3]);
    expect(forms[1]).toBeInstanceOf(EdnSet);
    expect(ednToPlain(forms[1]!)).toEqual(['a', 'b']);
  });

  it('interns keywords, so maps can be looked up by keyword', () => {
    expect(Keyword.of('read')).toBe(Keyword.of('read'));
    expect(one(':ns/name')).toBe(Keyword.of('ns/name'));
  });

  it('names file, line and column for what it does not read', () => {
    const tagged = syntaxError('[{:a 1}\n  #inst "2020"]');
    expect([tagged.line, tagged.column]).toEqual([2, 3]);
    expect(tagged.message).toBe('bad.edn:2:3: tagged literal "#inst" is not supported in histories');
    expect(syntaxError('[1 2').message).toMatch(/^bad\.edn:1:1: "\[" is never closed/);
    expect(syntaxError('{:a 1 :b}').message).toMatch(/even number of forms/);
    expect(syntaxError('(1 2]').message).toMatch(/^bad\.edn:1:5: "\]" closes "\("/);
    expect(syntaxError('\n\n  foo').message).toBe('bad.edn:3:3: symbol "foo" is not supported in histories (only nil, true and false; did you mean :foo?)');
    expect(syntaxError('"abc').message).toMatch(/string is never closed/);
    expect(syntaxError('\\a').message).toMatch(/characters/);
    expect(syntaxError('12345678901234567890').message).toMatch(/too large/);
    expect(syntaxError('[' .repeat(300)).message).toMatch(/nest deeper/);
  });

  it('refuses what it could only read by guessing: duplicate keys and elements, runs of discards, numbers past a double', () => {
    // Keeping the last of two :type keys would turn a failed op into an ok one and hide a violation.
    expect(syntaxError('{:process 0, :type :ok, :f :read, :type :fail}').message).toMatch(/^bad\.edn:1:1: the map has the key :type twice/);
    expect(syntaxError('{[1 2] :a, [1 2] :b}').message).toMatch(/the map has the key \[1 2\] twice/);
    expect(syntaxError('#{:a :b :a}').message).toMatch(/the set has :a twice/);
    expect(syntaxError(`${'#_ '.repeat(5_000)}1`).message).toMatch(/nest deeper/);
    expect(syntaxError('{:process 1e400}').message).toMatch(/number 1e400 is out of range/);
  });

  it('prints what it reads, and reads what it prints', () => {
    const plain: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        fc.string(),
        fc.array(tie('value'), { maxLength: 4 }),
        fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9-]{0,5}$/), tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    fc.assert(
      fc.property(plain, (value) => {
        const printed = printEdn(plainToEdn(value));
        expect(ednToPlain(one(printed))).toEqual(value);
      }),
      { numRuns: 300 },
    );
  });
});
