#!/usr/bin/env node
// The example node with both planted bugs on (see node.mjs): lin-kv fails with stale reads (not
// linearizable), broadcast under a partition fails with lost messages.
import { runNode } from './node.mjs';

runNode({ bugs: new Set(['stale-reads', 'lost-broadcast']) });
