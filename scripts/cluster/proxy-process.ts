// One fault proxy as its own process (`crucible cluster proxy`): used by `cluster up` and by the
// proxy containers of the Docker cluster. Prints one JSON `ready` line, stops on SIGTERM.
import type { NodeId } from '../../nodes/host.js';
import type { Address } from '../tcp/link.js';
import { FaultProxy } from '../tcp/proxy.js';

export interface ProxyProcessOptions {
  node: NodeId;
  listen: Address;
  target: Address;
  control: Address;
  secret: string;
  seed: number;
}

export async function runProxyProcess(options: ProxyProcessOptions): Promise<void> {
  const proxy = new FaultProxy({
    ...options,
    log: (kind, fields) => {
      // Rule changes and refused connections are what an operator wants to see in the log.
      if (kind === 'proxy.rules' || /bad frame|no valid hello/.test(String(fields.reason ?? ''))) {
        process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), kind, ...fields })}\n`);
      }
    },
  });
  const stop = async (): Promise<never> => {
    await proxy.stop().catch(() => undefined);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop());
  process.on('SIGINT', () => void stop());
  const { port, controlPort } = await proxy.start();
  process.stdout.write(`${JSON.stringify({ event: 'ready', proxy: options.node, pid: process.pid, port, controlPort })}\n`);
}
