import { describe, expect, it } from 'vitest';
import { makeChallenge, makeHello, makeWelcome, newSecret, verifyHello, verifyWelcome, checkSecret } from './auth.js';

const secret = newSecret();

describe('HMAC challenge handshake', () => {
  it('accepts a hello made with the secret over this challenge, and the welcome back', () => {
    const challenge = makeChallenge('n1');
    const hello = makeHello(secret, challenge, 'c3', 'client');
    const verified = verifyHello(secret, challenge, JSON.parse(JSON.stringify(hello)));
    expect(typeof verified).toBe('object');
    expect(verified).toMatchObject({ id: 'c3', role: 'client' });
    const welcome = makeWelcome(secret, challenge, hello);
    expect(verifyWelcome(secret, challenge, hello, welcome)).toBe(true);
  });

  it('rejects a hello made with another secret', () => {
    const challenge = makeChallenge('n1');
    const hello = makeHello(newSecret(), challenge, 'n2', 'peer');
    expect(verifyHello(secret, challenge, hello)).toMatch(/authentication failed for n2/);
  });

  it('rejects a replayed hello against a fresh challenge', () => {
    const first = makeChallenge('n1');
    const hello = makeHello(secret, first, 'n2', 'peer');
    expect(typeof verifyHello(secret, first, hello)).toBe('object');
    expect(verifyHello(secret, makeChallenge('n1'), hello)).toMatch(/authentication failed/);
  });

  it('rejects a hello whose role or id was changed in flight', () => {
    const challenge = makeChallenge('n1');
    const hello = makeHello(secret, challenge, 'c1', 'client');
    expect(verifyHello(secret, challenge, { ...hello, role: 'admin' })).toMatch(/authentication failed/);
    expect(verifyHello(secret, challenge, { ...hello, id: 'n2' })).toMatch(/authentication failed/);
    expect(verifyHello(secret, challenge, { ...hello, id: '../x' })).toMatch(/malformed id/);
  });

  it('lets the dialer detect a node without the secret', () => {
    const challenge = makeChallenge('n1');
    const hello = makeHello(secret, challenge, 'c1', 'client');
    const forged = makeWelcome(newSecret(), challenge, hello);
    expect(verifyWelcome(secret, challenge, hello, forged)).toMatch(/failed to prove the cluster secret/);
  });

  it('insists on a secret of real length', () => {
    expect(() => checkSecret('short')).toThrow(/at least 16 bytes/);
    expect(() => checkSecret(secret)).not.toThrow();
  });
});
