import { describe, expect, it } from 'vitest';
import { ERROR, ERROR_CODES, EnvelopeError, errorCode, outcomeOf, parseEnvelope } from './protocol.js';

describe('parseEnvelope', () => {
  it('reads an envelope', () => {
    expect(parseEnvelope('{"src":"n1","dest":"c1","body":{"type":"echo_ok","in_reply_to":3,"echo":"x"}}')).toEqual({
      src: 'n1',
      dest: 'c1',
      body: { type: 'echo_ok', in_reply_to: 3, echo: 'x' },
    });
  });

  it.each([
    ['hello', /not JSON/],
    ['[1]', /not a JSON object/],
    ['{"dest":"c1","body":{"type":"x"}}', /"src" must be/],
    ['{"src":"n1","dest":"","body":{"type":"x"}}', /"dest" must be/],
    ['{"src":"n1","dest":"c1","body":{}}', /"body" must be an object with a string "type"/],
    ['{"src":"n1","dest":"c1","body":{"type":"x","msg_id":"7"}}', /"body.msg_id" must be an integer/],
    ['{"src":"n1","dest":"c1","body":{"type":"x","in_reply_to":1.5}}', /"body.in_reply_to" must be an integer/],
  ])('refuses %s', (line, why) => {
    expect(() => parseEnvelope(line)).toThrow(EnvelopeError);
    expect(() => parseEnvelope(line)).toThrow(why);
  });
});

describe('error codes', () => {
  it("are Maelstrom's, definite or not as protocol.md says", () => {
    const definite = ERROR_CODES.filter((code) => code.definite).map((code) => code.code);
    expect(definite).toEqual([1, 10, 11, 12, 14, 20, 21, 22, 30]);
    expect(errorCode(ERROR.TIMEOUT)).toMatchObject({ name: 'timeout', definite: false });
    expect(errorCode(ERROR.CRASH)).toMatchObject({ name: 'crash', definite: false });
    expect(errorCode(ERROR.PRECONDITION_FAILED)).toMatchObject({ name: 'precondition-failed', definite: true });
  });

  it('take custom and unknown codes as indefinite', () => {
    expect(errorCode(1001)).toEqual({ code: 1001, name: 'custom', definite: false });
    expect(errorCode(99)).toEqual({ code: 99, name: 'unknown', definite: false });
  });
});

describe('outcomeOf', () => {
  it('tells ok, error and malformed replies apart', () => {
    expect(outcomeOf('read', { type: 'read_ok', value: 1 }).kind).toBe('ok');
    const error = outcomeOf('read', { type: 'error', code: 11, text: 'no quorum' });
    expect(error).toMatchObject({ kind: 'error', text: 'no quorum', code: { name: 'temporarily-unavailable', definite: true } });
    expect(outcomeOf('read', { type: 'write_ok' })).toMatchObject({ kind: 'malformed', why: 'expected read_ok or error, got write_ok' });
    expect(outcomeOf('read', { type: 'error', code: 'eleven' })).toMatchObject({ kind: 'malformed' });
  });
});
