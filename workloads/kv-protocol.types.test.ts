// The KV protocol is declared twice, on purpose: once by the node (nodes/ may not import
// workloads/) and once by the clients. This test fails to compile, and so fails lint and test, the
// moment the two declarations drift apart.
import { describe, expectTypeOf, it } from 'vitest';
import type { KvReply as NodeReply, KvRequest as NodeRequest } from '../nodes/raft/types.js';
import type { KvReply, KvRequest } from './kv-protocol.js';

describe('the KV protocol', () => {
  it('is the same on the node side and the client side', () => {
    expectTypeOf<KvRequest>().toEqualTypeOf<NodeRequest>();
    expectTypeOf<KvReply>().toEqualTypeOf<NodeReply>();
  });
});
