// The in-memory Raft log: entries after a compaction offset (the last snapshot), the commit and
// apply indexes, and how much of it is known to be on disk (`stableIndex`). Pure data; the core
// decides what to append, the driver persists it and reports back with `stableTo`.
import { assert, fail } from './assert.js';
import type { ConfigState, Entry, SnapshotMeta } from './types.js';

export class RaftLog {
  /** The last index and term covered by the snapshot (0, 0 when there is none). */
  snapshotIndex = 0;
  snapshotTerm = 0;
  /** entries[k].index === snapshotIndex + 1 + k. */
  private entries: Entry[] = [];
  committed = 0;
  applied = 0;
  /** Entries up to here are durable (this node's own disk). */
  stableIndex = 0;
  /** Entries up to here were handed to the driver to write (durable or not yet). */
  writtenIndex = 0;
  /** Indexes of configuration entries still in `entries`, ascending. */
  private configIndexes: number[] = [];
  /** The configuration as of the snapshot (or the bootstrap configuration). */
  snapshotConfig: ConfigState;

  constructor(bootstrap: ConfigState) {
    this.snapshotConfig = bootstrap;
  }

  firstIndex(): number {
    return this.snapshotIndex + 1;
  }

  lastIndex(): number {
    return this.snapshotIndex + this.entries.length;
  }

  lastTerm(): number {
    return this.entries.length === 0 ? this.snapshotTerm : this.entries[this.entries.length - 1]!.term;
  }

  /** The term at `index`, or -1 when it is compacted away or beyond the end. */
  term(index: number): number {
    if (index === this.snapshotIndex) return this.snapshotTerm;
    if (index < this.snapshotIndex || index > this.lastIndex()) return -1;
    return this.entries[index - this.snapshotIndex - 1]!.term;
  }

  entry(index: number): Entry | null {
    if (index <= this.snapshotIndex || index > this.lastIndex()) return null;
    return this.entries[index - this.snapshotIndex - 1]!;
  }

  matchTerm(index: number, term: number): boolean {
    const t = this.term(index);
    return t !== -1 && t === term;
  }

  /** Entries [from, to] (inclusive), at most `countMax` of them. `from` must not be compacted. */
  slice(from: number, to: number, countMax: number): Entry[] {
    if (!(from > this.snapshotIndex)) fail(`slice from ${from} is compacted (snapshot ${this.snapshotIndex})`);
    const last = Math.min(to, this.lastIndex(), from + countMax - 1);
    if (last < from) return [];
    return this.entries.slice(from - this.snapshotIndex - 1, last - this.snapshotIndex);
  }

  /** Raft's election restriction: is a log ending at (lastIndex, lastTerm) at least as up-to-date? */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myTerm = this.lastTerm();
    return lastTerm > myTerm || (lastTerm === myTerm && lastIndex >= this.lastIndex());
  }

  /** The first entry of `entries` whose term differs from ours (or that we lack); 0 when none. */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (entry.index <= this.snapshotIndex) continue;
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * The largest index <= `index` whose term is <= `term` (etcd's findConflictByTerm): where a
   * follower and a leader can possibly agree, used for fast back-off after a rejected append.
   */
  findConflictByTerm(index: number, term: number): number {
    let i = Math.min(index, this.lastIndex());
    while (i > this.snapshotIndex) {
      if (this.term(i) <= term) return i;
      i--;
    }
    return this.snapshotIndex;
  }

  /**
   * Appends `entries` (contiguous), truncating any conflicting suffix first. Committed entries are
   * never truncated: the caller checked that.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0]!.index;
    if (!(first > this.committed)) fail(`append at ${first} would overwrite committed ${this.committed}`);
    if (!(first <= this.lastIndex() + 1)) fail(`append at ${first} leaves a gap after ${this.lastIndex()}`);
    this.truncateFrom(first);
    for (let k = 0; k < entries.length; k++) {
      const entry = entries[k]!;
      assert(entry.index === first + k, 'appended entries must be contiguous');
      if (!(entry.term >= this.lastTerm())) fail(`entry term ${entry.term} below the previous ${this.lastTerm()}`);
      this.entries.push(entry);
      if (entry.data.kind === 'config') this.configIndexes.push(entry.index);
    }
  }

  /** Drops entries >= `index`. */
  private truncateFrom(index: number): void {
    if (index > this.lastIndex()) return;
    if (!(index > this.snapshotIndex)) fail(`truncate at ${index} inside the snapshot`);
    this.entries.length = index - this.snapshotIndex - 1;
    while (this.configIndexes.length > 0 && this.configIndexes[this.configIndexes.length - 1]! >= index) this.configIndexes.pop();
    if (this.stableIndex >= index) this.stableIndex = index - 1;
    if (this.writtenIndex >= index) this.writtenIndex = index - 1;
  }

  /** Entries appended since the last call, for the driver to write; marks them written. */
  takeUnwritten(): Entry[] {
    const last = this.lastIndex();
    if (this.writtenIndex >= last) return [];
    const from = Math.max(this.writtenIndex, this.snapshotIndex);
    const out = this.entries.slice(from - this.snapshotIndex);
    this.writtenIndex = last;
    return out;
  }

  /**
   * The follower side of AppendEntries: when our log has (prevIndex, prevTerm), append what is new
   * and return the last index now matching the leader; otherwise null.
   */
  maybeAppend(prevIndex: number, prevTerm: number, entries: readonly Entry[]): number | null {
    if (!this.matchTerm(prevIndex, prevTerm)) return null;
    const lastNew = prevIndex + entries.length;
    const conflict = this.findConflict(entries);
    if (conflict !== 0) {
      if (!(conflict > this.committed)) fail(`conflict at ${conflict} with committed ${this.committed}`);
      this.append(entries.slice(conflict - entries[0]!.index));
    }
    return lastNew;
  }

  commitTo(index: number): boolean {
    if (index <= this.committed) return false;
    if (!(index <= this.lastIndex())) fail(`commit ${index} beyond the last index ${this.lastIndex()}`);
    this.committed = index;
    return true;
  }

  appliedTo(index: number): void {
    if (!(index >= this.applied)) fail(`applied moves back: ${this.applied} -> ${index}`);
    if (!(index <= this.committed)) fail(`applied ${index} beyond committed ${this.committed}`);
    this.applied = index;
  }

  /** The driver reports entries up to (index, term) durable; ignored when that entry was replaced. */
  stableTo(index: number, term: number): boolean {
    if (index <= this.stableIndex || !this.matchTerm(index, term)) return false;
    this.stableIndex = index;
    return true;
  }

  /** Entries committed, durable and not yet applied, at most `countMax`. */
  nextToApply(countMax: number): Entry[] {
    const last = Math.min(this.committed, this.stableIndex, this.applied + countMax);
    if (last <= this.applied) return [];
    return this.slice(this.applied + 1, last, countMax);
  }

  /** Entries not yet durable (stableIndex+1 ..). */
  unstable(): Entry[] {
    if (this.stableIndex >= this.lastIndex()) return [];
    return this.entries.slice(this.stableIndex - this.snapshotIndex);
  }

  /** Discards entries up to `index` (kept in a snapshot whose config is `config`). */
  compact(index: number, config: ConfigState): void {
    if (!(index > this.snapshotIndex)) fail(`compact to ${index} not past the snapshot ${this.snapshotIndex}`);
    if (!(index <= this.lastIndex())) fail(`compact to ${index} beyond the last index`);
    const term = this.term(index);
    this.entries = this.entries.slice(index - this.snapshotIndex);
    this.snapshotIndex = index;
    this.snapshotTerm = term;
    this.snapshotConfig = config;
    while (this.configIndexes.length > 0 && this.configIndexes[0]! <= index) this.configIndexes.shift();
  }

  /** Replaces the whole log by a snapshot received from the leader. */
  restore(meta: SnapshotMeta): void {
    if (!(meta.index > this.committed)) fail(`restore to ${meta.index} not past committed ${this.committed}`);
    this.entries = [];
    this.configIndexes = [];
    this.snapshotIndex = meta.index;
    this.snapshotTerm = meta.term;
    this.snapshotConfig = meta.config;
    this.committed = meta.index;
    this.applied = meta.index;
    this.stableIndex = Math.min(this.stableIndex, meta.index);
    this.writtenIndex = meta.index;
  }

  /** Loads state read back from the WAL at start. */
  load(meta: SnapshotMeta, entries: readonly Entry[], commit: number, durable: boolean): void {
    this.snapshotIndex = meta.index;
    this.snapshotTerm = meta.term;
    this.snapshotConfig = meta.config;
    this.entries = [];
    this.configIndexes = [];
    this.append(entries);
    this.stableIndex = durable ? this.lastIndex() : meta.index;
    this.writtenIndex = this.lastIndex();
    this.committed = Math.max(meta.index, Math.min(commit, this.lastIndex()));
    this.applied = meta.index;
  }

  /** The latest configuration in the log (committed or not: Raft uses the newest it has). */
  latestConfig(): ConfigState {
    const last = this.configIndexes[this.configIndexes.length - 1];
    if (last === undefined) return this.snapshotConfig;
    const data = this.entry(last)!.data;
    assert(data.kind === 'config', 'config index points at a config entry');
    return data.config;
  }

  /** Index of the latest configuration entry (the snapshot index when it came with the snapshot). */
  latestConfigIndex(): number {
    return this.configIndexes[this.configIndexes.length - 1] ?? this.snapshotIndex;
  }

  /** The configuration in force at `index` (the newest config entry at or before it). */
  configAt(index: number): ConfigState {
    if (!(index >= this.snapshotIndex)) fail(`configAt ${index} inside the snapshot ${this.snapshotIndex}`);
    for (let k = this.configIndexes.length - 1; k >= 0; k--) {
      const at = this.configIndexes[k]!;
      if (at <= index) {
        const data = this.entry(at)!.data;
        assert(data.kind === 'config', 'config index points at a config entry');
        return data.config;
      }
    }
    return this.snapshotConfig;
  }

  /** Configuration entry indexes after `index` (for the leader's one-change-in-flight rule). */
  configIndexesAfter(index: number): number[] {
    return this.configIndexes.filter((at) => at > index);
  }

  entryCount(): number {
    return this.entries.length;
  }
}
