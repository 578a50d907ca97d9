// Free TCP ports on loopback, found by binding port 0. A port could in principle be taken between
// this probe and its use; the servers are held open together so the ports are at least distinct.
import net from 'node:net';

/** Ports allowed in one probe; a cluster needs a few per node. */
const PORTS_MAX = 256;

export async function freePorts(count: number, host = '127.0.0.1'): Promise<number[]> {
  if (!Number.isInteger(count) || count < 0 || count > PORTS_MAX) throw new Error(`freePorts: count must be in [0, ${PORTS_MAX}]`);
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i += 1) {
      const server = net.createServer();
      servers.push(server);
      ports.push(
        await new Promise<number>((resolve, reject) => {
          server.once('error', reject);
          server.listen(0, host, () => resolve((server.address() as net.AddressInfo).port));
        }),
      );
    }
    return ports;
  } finally {
    await Promise.all(servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
  }
}
