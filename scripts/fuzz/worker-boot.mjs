// Worker threads do not inherit tsx's loader, so each fuzz worker starts here: register the loader,
// then import the TypeScript worker module named in workerData.
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(workerData.entry);
