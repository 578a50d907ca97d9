// One-shot operator calls to a node's host: ask for its status, set its wall clock (a clock fault),
// or hand its node an admin message.
import type { Message, NodeId } from '../../nodes/host.js';
import type { ClockSetting } from './clock.js';
import { dialConnection, type LogFn } from './connection.js';
import type { Address } from './link.js';
import { type HostStatus, clockSetFrame, messageFrame, parseEnvelope, statusQueryFrame } from './wire.js';

const quiet: LogFn = () => undefined;

/**
 * Each request dials as its own operator id: a host keeps one connection per id (the newest wins),
 * so two requests at once under one id would close each other.
 */
let requestsMade = 0;

/** Asks one node's host for its status; rejects with a reason on timeout or refusal. */
export function queryStatus(address: Address, secret: string, node: NodeId, timeoutMs = 2_000): Promise<HostStatus> {
  return hostRequest(address, secret, node, statusQueryFrame(), 'status', timeoutMs);
}

/** Sets one node's wall clock (offset from the machine's, and drift); resolves with its status after. */
export function setClock(address: Address, secret: string, node: NodeId, setting: ClockSetting, timeoutMs = 2_000): Promise<HostStatus> {
  return hostRequest(address, secret, node, clockSetFrame(setting), 'clock', timeoutMs);
}

/** One request to the host itself, answered with its status. */
function hostRequest(address: Address, secret: string, node: NodeId, request: unknown, what: string, timeoutMs: number): Promise<HostStatus> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | null, status?: HostStatus): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connection.close(`${what} request finished`);
      if (error) reject(error);
      else resolve(status!);
    };
    const timer = setTimeout(() => finish(new Error(`${node} at ${address.host}:${address.port}: no answer to the ${what} request within ${timeoutMs} ms`)), timeoutMs);
    const connection = dialConnection(
      address,
      { id: `admin-${process.pid}-${(requestsMade += 1)}`, role: 'admin', expectNode: node },
      { secret, log: quiet, handshakeMsMax: timeoutMs },
      {
        onOpen: (open) => {
          open.send(request);
        },
        onFrame: (_connection, value) => {
          const envelope = parseEnvelope(value);
          if (typeof envelope !== 'string' && envelope.kind === 'status-reply') finish(null, envelope.status);
        },
        onClose: (_connection, reason) => finish(new Error(`${node} at ${address.host}:${address.port}: ${reason}`)),
      },
    );
  });
}

/**
 * Sends one message to a node as operator `admin` (for example a system's admin action) and
 * collects what the node sends back within `waitMs`.
 */
export function sendAdmin(address: Address, secret: string, node: NodeId, message: Message, waitMs = 1_000): Promise<Message[]> {
  return new Promise((resolve, reject) => {
    const replies: Message[] = [];
    let opened = false;
    let settled = false;
    const connection = dialConnection(
      address,
      { id: 'admin', role: 'admin', expectNode: node },
      { secret, log: quiet, handshakeMsMax: waitMs },
      {
        onOpen: (open) => {
          opened = true;
          open.send(messageFrame(message));
          setTimeout(() => open.close('admin wait over'), waitMs);
        },
        onFrame: (_connection, value) => {
          const envelope = parseEnvelope(value);
          if (typeof envelope !== 'string' && envelope.kind === 'message') replies.push(envelope.message);
        },
        onClose: (_connection, reason) => {
          if (settled) return;
          settled = true;
          if (opened) resolve(replies);
          else reject(new Error(`${node} at ${address.host}:${address.port}: ${reason}`));
        },
      },
    );
  });
}
