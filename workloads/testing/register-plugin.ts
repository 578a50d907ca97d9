// The test system as a plugin module, for `--plugin faults/testing/plugin.ts` in command tests.
export { registerSystem as system } from './register.js';
