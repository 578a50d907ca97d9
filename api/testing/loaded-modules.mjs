// Prints, as one JSON line, every module URL resolved while importing the modules named on the
// command line, plus the native libraries the process holds: what importing the API really loads.
// Run as `node --import tsx api/testing/loaded-modules.mjs MODULE...`.
import { register } from 'node:module';
import { MessageChannel } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const hook = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  port.postMessage(result.url);
  return result;
}`;
const { port1, port2 } = new MessageChannel();
const resolved = [];
port1.on('message', (url) => resolved.push(url));
register(`data:text/javascript,${encodeURIComponent(hook)}`, import.meta.url, { data: { port: port2 }, transferList: [port2] });
for (const module of process.argv.slice(2)) await import(pathToFileURL(module).href);
// The hook thread posts asynchronously: let its last messages arrive.
await new Promise((resolve) => setTimeout(resolve, 200));
port1.close();
const cjs = Object.keys(createRequire(import.meta.url).cache);
const shared = process.report.getReport().sharedObjects;
process.stdout.write(`${JSON.stringify({ resolved, cjs, shared })}\n`);
