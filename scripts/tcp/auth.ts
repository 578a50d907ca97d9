// The cluster-secret handshake: an HMAC challenge in both directions.
//
// The accepting side speaks first with a fresh nonce; the dialer answers with its id, its role, its
// own nonce and an HMAC over both nonces; the acceptor answers with an HMAC over them in the other
// order. Neither side ever sends the secret, a replayed hello fails (the acceptor's nonce is new
// each time), and the dialer knows it reached a holder of the secret and the node it meant to.
// Frames are not encrypted: the secret keeps strangers out of the cluster, not eavesdroppers.
import { view } from './bytes.js';
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const AUTH_VERSION = 1;

/** Who is dialing: a server node, a workload client, or an operator/runner (status, admin). */
export type PeerRole = 'peer' | 'client' | 'admin';
export const PEER_ROLES: readonly PeerRole[] = ['peer', 'client', 'admin'];

/** Ids are short and printable so they can sit in logs, file names and proxy rules. */
const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const NONCE_PATTERN = /^[0-9a-f]{32}$/;
const MAC_PATTERN = /^[0-9a-f]{64}$/;

/** The secret must carry real entropy: at least this many bytes. */
export const SECRET_BYTES_MIN = 16;

export interface Challenge {
  t: 'challenge';
  v: number;
  /** The acceptor's node id, so a dialer notices it reached the wrong node. */
  node: string;
  nonce: string;
}

export interface Hello {
  t: 'hello';
  v: number;
  id: string;
  role: PeerRole;
  nonce: string;
  mac: string;
}

export interface Welcome {
  t: 'welcome';
  mac: string;
}

export function isValidId(id: unknown): id is string {
  return typeof id === 'string' && ID_PATTERN.test(id);
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

export function checkSecret(secret: string): void {
  if (Buffer.byteLength(secret, 'utf8') < SECRET_BYTES_MIN) {
    throw new Error(`the cluster secret must be at least ${SECRET_BYTES_MIN} bytes`);
  }
}

/** A fresh random secret (hex) for a new cluster. */
export function newSecret(): string {
  return randomBytes(32).toString('hex');
}

function mac(secret: string, text: string): string {
  return createHmac('sha256', secret).update(text, 'utf8').digest('hex');
}

function equalMacs(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(view(left), view(right));
}

function helloText(challenge: Challenge, id: string, role: PeerRole, dialerNonce: string): string {
  return `crucible/${AUTH_VERSION} hello ${challenge.node} ${challenge.nonce} ${id} ${role} ${dialerNonce}`;
}

function welcomeText(challenge: Challenge, dialerNonce: string): string {
  return `crucible/${AUTH_VERSION} welcome ${challenge.node} ${dialerNonce} ${challenge.nonce}`;
}

export function makeChallenge(nodeId: string): Challenge {
  return { t: 'challenge', v: AUTH_VERSION, node: nodeId, nonce: newNonce() };
}

/** Reads a frame as a challenge, or says why it is not one. */
export function parseChallenge(value: unknown): Challenge | string {
  const frame = value as Partial<Challenge> | null;
  if (typeof frame !== 'object' || frame === null || frame.t !== 'challenge') return 'expected a challenge frame';
  if (frame.v !== AUTH_VERSION) return `unsupported handshake version ${String(frame.v)}`;
  if (!isValidId(frame.node)) return 'challenge has a malformed node id';
  if (typeof frame.nonce !== 'string' || !NONCE_PATTERN.test(frame.nonce)) return 'challenge has a malformed nonce';
  return { t: 'challenge', v: frame.v, node: frame.node, nonce: frame.nonce };
}

export function makeHello(secret: string, challenge: Challenge, id: string, role: PeerRole): Hello {
  if (!isValidId(id)) throw new Error(`auth: malformed id ${JSON.stringify(id)}`);
  const nonce = newNonce();
  return { t: 'hello', v: AUTH_VERSION, id, role, nonce, mac: mac(secret, helloText(challenge, id, role, nonce)) };
}

/** Reads a frame as a hello without checking its MAC (a proxy uses this to learn who is talking). */
export function parseHello(value: unknown): Hello | string {
  const frame = value as Partial<Hello> | null;
  if (typeof frame !== 'object' || frame === null || frame.t !== 'hello') return 'expected a hello frame';
  if (frame.v !== AUTH_VERSION) return `unsupported handshake version ${String(frame.v)}`;
  if (!isValidId(frame.id)) return 'hello has a malformed id';
  if (!PEER_ROLES.includes(frame.role as PeerRole)) return `hello has an unknown role ${JSON.stringify(frame.role)}`;
  if (typeof frame.nonce !== 'string' || !NONCE_PATTERN.test(frame.nonce)) return 'hello has a malformed nonce';
  if (typeof frame.mac !== 'string' || !MAC_PATTERN.test(frame.mac)) return 'hello has a malformed mac';
  return { t: 'hello', v: frame.v, id: frame.id, role: frame.role as PeerRole, nonce: frame.nonce, mac: frame.mac };
}

/** The acceptor's check of a hello: its MAC must prove the secret over this very challenge. */
export function verifyHello(secret: string, challenge: Challenge, value: unknown): Hello | string {
  const hello = parseHello(value);
  if (typeof hello === 'string') return hello;
  const expected = mac(secret, helloText(challenge, hello.id, hello.role, hello.nonce));
  if (!equalMacs(expected, hello.mac)) return `authentication failed for ${hello.id} (wrong cluster secret?)`;
  return hello;
}

export function makeWelcome(secret: string, challenge: Challenge, hello: Hello): Welcome {
  return { t: 'welcome', mac: mac(secret, welcomeText(challenge, hello.nonce)) };
}

/** The dialer's check that the acceptor holds the secret too. */
export function verifyWelcome(secret: string, challenge: Challenge, hello: Hello, value: unknown): true | string {
  const frame = value as Partial<Welcome> | null;
  if (typeof frame !== 'object' || frame === null || frame.t !== 'welcome') return 'expected a welcome frame';
  if (typeof frame.mac !== 'string' || !MAC_PATTERN.test(frame.mac)) return 'welcome has a malformed mac';
  const expected = mac(secret, welcomeText(challenge, hello.nonce));
  if (!equalMacs(expected, frame.mac)) return `node ${challenge.node} failed to prove the cluster secret`;
  return true;
}
