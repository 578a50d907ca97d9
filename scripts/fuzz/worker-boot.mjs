// A fuzz worker process starts here: it registers tsx's loader (a forked process gets none), then on
// the campaign's first message loads the TypeScript worker module it names. Tasks that arrive while
// that module loads wait in order.
import { register as registerEsm } from 'tsx/esm/api';
import { register as registerCjs } from 'tsx/cjs/api';

// Both loaders, as `--import tsx` gives the main process: a plugin module outside a `"type":
// "module"` package is CommonJS to tsx, and with the ESM loader alone its imports of our ES
// modules end in "Cannot require() ES Module ... in a cycle".
registerCjs();
registerEsm();

const waiting = [];
let handle = null;

// The campaign went away (killed, say): nothing is left to report to.
process.on('disconnect', () => process.exit(0));
process.on('message', (message) => {
  if (handle !== null) return handle(message);
  waiting.push(message);
  if (message.type === 'start' && waiting.length === 1) void start(message);
});

async function start(message) {
  const send = (reply) => process.send(reply);
  try {
    const { serve } = await import(message.entry);
    handle = await serve(message.config, send);
  } catch (error) {
    send({ type: 'fatal', message: error instanceof Error ? error.message : String(error) });
    process.exitCode = 1;
    process.disconnect();
    return;
  }
  waiting.shift();
  for (const queued of waiting.splice(0)) handle(queued);
}
