// A Maelstrom RPC endpoint that lives in the lab's process (a client `c1`, the harness `c0`): it
// numbers its requests, matches replies by `in_reply_to`, and gives up on a request after its
// timeout (the op then ended unknown; a reply arriving later is ignored, as Maelstrom ignores it).
import type { Body, Envelope, MaelstromId } from '../../workloads/maelstrom/protocol.js';

/** Requests one endpoint has outstanding at once. */
export const PENDING_MAX = 10_000;

export class RpcEndpoint {
  private nextMsgId = 1;
  private readonly pending = new Map<number, { resolve: (body: Body | null) => void; timer: NodeJS.Timeout }>();
  /** Replies that came after their request had timed out (legal: the op is already unknown). */
  lateReplies = 0;

  constructor(
    readonly id: MaelstromId,
    private readonly send: (envelope: Envelope) => void,
    /** A message that answers no request this endpoint ever sent: the sender broke the protocol. */
    private readonly onStray: (envelope: Envelope) => void = () => undefined,
  ) {}

  /** The reply to `body` sent to `dest`, or null when none came within `timeoutMs`. */
  call(dest: MaelstromId, body: Body, timeoutMs: number): Promise<Body | null> {
    if (this.pending.size >= PENDING_MAX) throw new Error(`${this.id}: more than ${PENDING_MAX} requests outstanding`);
    const msgId = this.nextMsgId;
    this.nextMsgId += 1;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.pending.delete(msgId);
        resolve(null);
      }, timeoutMs);
      this.pending.set(msgId, { resolve, timer });
      this.send({ src: this.id, dest, body: { ...body, msg_id: msgId } });
    });
  }

  receive(envelope: Envelope): void {
    const replyTo = envelope.body.in_reply_to;
    const waiting = replyTo === undefined ? undefined : this.pending.get(replyTo);
    if (waiting === undefined) {
      if (replyTo === undefined || replyTo < 1 || replyTo >= this.nextMsgId) this.onStray(envelope);
      else this.lateReplies += 1;
      return;
    }
    this.pending.delete(replyTo!);
    clearTimeout(waiting.timer);
    waiting.resolve(envelope.body);
  }

  /** Ends every outstanding request as unanswered. */
  close(): void {
    for (const { resolve, timer } of this.pending.values()) {
      clearTimeout(timer);
      resolve(null);
    }
    this.pending.clear();
  }
}
