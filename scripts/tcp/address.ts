// Parsing `host:port` and `id=host:port,...` from flags, with errors that name the flag and the fix.
import type { NodeId } from '../../nodes/host.js';
import { isValidId } from './auth.js';
import type { Address } from './link.js';

export function formatAddress(address: Address): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** `127.0.0.1:7001`, `[::1]:7001` or `node-a:7001`; port 0 means "any free port". */
export function parseAddress(text: string, flag: string): Address | string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([A-Za-z0-9_.-]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) return `${flag}: expected HOST:PORT (for example 127.0.0.1:7001), got ${JSON.stringify(text)}`;
  const port = Number(match[3]);
  if (port > 65535) return `${flag}: port ${port} is above 65535`;
  return { host: match[1] ?? match[2]!, port };
}

/** `n2=127.0.0.1:7002,n3=127.0.0.1:7003` (or a list of such items). */
export function parsePeers(items: readonly string[], flag: string): Record<NodeId, Address> | string {
  const peers: Record<NodeId, Address> = {};
  for (const item of items.flatMap((text) => text.split(',')).filter((text) => text.trim() !== '')) {
    const at = item.indexOf('=');
    if (at < 0) return `${flag}: expected ID=HOST:PORT items, got ${JSON.stringify(item)}`;
    const id = item.slice(0, at).trim();
    if (!isValidId(id)) return `${flag}: ${JSON.stringify(id)} is not a valid node id (letters, digits, _ . -)`;
    if (id in peers) return `${flag}: node ${id} is listed twice`;
    const address = parseAddress(item.slice(at + 1), `${flag} ${id}`);
    if (typeof address === 'string') return address;
    peers[id] = address;
  }
  return peers;
}

/** Loopback unless the operator says otherwise: a node is not on the network by accident. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
