import { runSuite } from './bench/raft.js';
const t = performance.now();
console.log(JSON.stringify(await runSuite()), Math.round(performance.now() - t), 'ms', Math.round(process.resourceUsage().maxRSS / 1024), 'MB');
