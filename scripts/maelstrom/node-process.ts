// One Maelstrom node as a child process: envelopes in on stdin and out on stdout, one JSON object
// per line; stderr is the node's log, kept (the last `LOG_BYTES_KEPT`) and written to a file when
// asked. A line that is not an envelope, or names another node as its src, is a protocol problem:
// said, counted and dropped, never delivered.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { EnvelopeError, LINE_BYTES_MAX, parseEnvelope, type Envelope } from '../../workloads/maelstrom/protocol.js';

/** The tail of a node's stderr kept in memory, for the error a test prints. */
export const LOG_BYTES_KEPT = 64 * 1024;
/** Protocol problems remembered per node; a node that writes garbage in a loop is said once. */
export const PROBLEMS_KEPT = 20;

export interface NodeProcessOptions {
  id: string;
  command: string;
  args: readonly string[];
  /** Where the node's stderr goes too (Maelstrom's node logs), if anywhere. */
  logFile?: string;
  onEnvelope(envelope: Envelope): void;
}

export class NodeProcess {
  readonly problems: string[] = [];
  problemCount = 0;
  /** Set once the process has exited: its code or signal. */
  exited: string | null = null;
  /** Set when it exited before `stop()` asked it to: a node that died on its own. */
  exitedByItself: string | null = null;
  private stopping = false;
  private readonly child: ChildProcessWithoutNullStreams;
  private log = '';
  private readonly logStream: WriteStream | null;
  private pending = '';
  /** Resolves once the process has exited (or could not start). */
  readonly whenExited: Promise<void>;
  private spawnError: string | null = null;

  constructor(private readonly options: NodeProcessOptions) {
    this.logStream = options.logFile === undefined ? null : createWriteStream(options.logFile);
    this.child = spawn(options.command, [...options.args], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.whenExited = new Promise((resolve) => {
      this.child.on('error', (error) => {
        this.spawnError = error.message;
        this.exited ??= `could not start: ${error.message}`;
        resolve();
      });
      this.child.on('exit', (code, signal) => {
        this.exited = signal === null ? `exit code ${code}` : `signal ${signal}`;
        if (!this.stopping) this.exitedByItself = this.exited;
        resolve();
      });
    });
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.log = (this.log + chunk).slice(-LOG_BYTES_KEPT);
      this.logStream?.write(chunk);
    });
    // A node that exits while we write gets EPIPE: its exit is what gets said.
    this.child.stdin.on('error', () => undefined);
  }

  get id(): string {
    return this.options.id;
  }

  /** Why the process could not be started (ENOENT for a missing binary), or null. */
  get startError(): string | null {
    return this.spawnError;
  }

  /** The tail of the node's stderr. */
  get logTail(): string {
    return this.log;
  }

  send(envelope: Envelope): void {
    if (this.exited !== null || this.child.stdin.destroyed) return;
    this.child.stdin.write(`${JSON.stringify(envelope)}\n`);
  }

  /** Ends stdin (a node should exit on EOF), then kills what is left after `graceMs`. */
  async stop(graceMs = 500): Promise<void> {
    this.stopping = true;
    if (this.exited === null) {
      this.child.stdin.end();
      const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
      await this.whenExited;
      clearTimeout(timer);
    }
    await new Promise<void>((resolve) => (this.logStream === null ? resolve() : this.logStream.end(resolve)));
  }

  private onStdout(chunk: string): void {
    this.pending += chunk;
    if (this.pending.length > LINE_BYTES_MAX && !this.pending.includes('\n')) {
      this.problem(`wrote more than ${LINE_BYTES_MAX} characters without a newline; dropped`);
      this.pending = '';
      return;
    }
    let newline = this.pending.indexOf('\n');
    while (newline >= 0) {
      const line = this.pending.slice(0, newline).trim();
      this.pending = this.pending.slice(newline + 1);
      if (line !== '') this.onLine(line);
      newline = this.pending.indexOf('\n');
    }
  }

  private onLine(line: string): void {
    let envelope: Envelope;
    try {
      envelope = parseEnvelope(line);
    } catch (error) {
      if (!(error instanceof EnvelopeError)) throw error;
      this.problem(`wrote a line that is not a Maelstrom message (${error.message})`);
      return;
    }
    if (envelope.src !== this.options.id) {
      this.problem(`sent a message as ${JSON.stringify(envelope.src)}; a node's src must be its own id ${this.options.id}`);
      return;
    }
    this.options.onEnvelope(envelope);
  }

  private problem(text: string): void {
    this.problemCount += 1;
    if (this.problems.length < PROBLEMS_KEPT) this.problems.push(`${this.options.id} ${text}`);
  }
}
