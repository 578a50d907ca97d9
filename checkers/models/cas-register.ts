// A register with read, write and compare-and-set, in the two flavours the tools disagree on.
// Knossos's `cas-register` starts at 0 and treats a read of nil as unobserved: it is legal in any
// state. Porcupine's etcd model starts with the key absent, a read of nil says the key is still
// absent, and a `fail` cas completed without effect because its compare failed (so it observed a
// value other than `from`), which is what etcd's "compare failed" answer means.
import { ILLEGAL, ModelInputError, opValue, type Model, type PreparedOp } from '../model.js';
import type { PairedOp } from '../paired-ops.js';
import { hashValue, sameValue, showValue } from '../values.js';

/** The state of a key never written, under the absent rule. */
export const ABSENT: unique symbol = Symbol('absent');
type RegisterState = unknown;

const READ = 0;
const WRITE = 1;
const CAS = 2;
/** A cas whose compare failed: legal only when the value is not `from`; no effect. */
const CAS_FAILED = 3;

export interface RegisterInput {
  kind: number;
  /** Read: the value read; write: the value written; cas: `from`. */
  a: unknown;
  /** Cas: `to`. */
  b: unknown;
}

export interface RegisterOptions {
  name: string;
  summary: string;
  initial: RegisterState;
  /** `any`: a nil read is legal in any state (Knossos). `absent`: it says the key is absent (Porcupine). */
  nilRead: 'any' | 'absent';
  /** Whether `cas` is an operation of this register. */
  cas: boolean;
}

function casArguments(model: string, op: PairedOp, value: unknown): [unknown, unknown] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new ModelInputError(model, op.invokeIndex, `cas needs [from to], got ${showValue(value)}`);
  }
  return [value[0], value[1]];
}

export function registerModel(options: RegisterOptions): Model<RegisterState, RegisterInput> {
  const { name, nilRead } = options;
  const prepare = (op: PairedOp): PreparedOp<RegisterInput> | null => {
    const value = opValue(op);
    switch (op.f) {
      case 'read': {
        // An unknown or failed read observed nothing; under Knossos's rule neither did a nil one.
        if (op.type !== 'ok') return null;
        if (value === null && nilRead === 'any') return null;
        return { input: { kind: READ, a: value === null ? ABSENT : value, b: null }, readOnly: true };
      }
      case 'write':
        if (op.type === 'fail') return null;
        return { input: { kind: WRITE, a: value, b: null }, readOnly: false };
      case 'cas': {
        if (!options.cas) break;
        const [from, to] = casArguments(name, op, value);
        if (op.type === 'fail') {
          return nilRead === 'absent' ? { input: { kind: CAS_FAILED, a: from, b: null }, readOnly: true } : null;
        }
        // An unknown cas may have happened; happening means its compare held, so it is a plain cas.
        return { input: { kind: CAS, a: from, b: to }, readOnly: false };
      }
      default:
        break;
    }
    const known = options.cas ? 'read, write and cas' : 'read and write';
    throw new ModelInputError(name, op.invokeIndex, `unknown f "${op.f}" (${name} has ${known})`);
  };
  return {
    name,
    summary: options.summary,
    keyed: true,
    init: () => options.initial,
    prepare,
    step(state, input) {
      switch (input.kind) {
        case READ:
          return sameValue(state, input.a) ? state : ILLEGAL;
        case WRITE:
          return input.a;
        case CAS:
          return sameValue(state, input.a) ? input.b : ILLEGAL;
        default:
          return sameValue(state, input.a) ? ILLEGAL : state;
      }
    },
    hash: (state) => (state === ABSENT ? 0x7f4a7c15 : hashValue(state)),
    equal: (a, b) => a === b || (a !== ABSENT && b !== ABSENT && sameValue(a, b)),
    show: (state) => (state === ABSENT ? 'absent' : showValue(state)),
    // A read of v needs a write of v or a cas to v placed before it; a failed compare against v
    // needs anything that leaves another value.
    mayEnable(op, read) {
      const made = op.kind === WRITE ? op.a : op.kind === CAS ? op.b : ABSENT;
      if (op.kind !== WRITE && op.kind !== CAS) return false;
      return read.kind === READ ? sameValue(made, read.a) : !sameValue(made, read.a);
    },
    enableKey(input) {
      if (input.kind === WRITE) return showValue(input.a);
      if (input.kind === CAS) return showValue(input.b);
      return input.kind === READ ? (input.a === ABSENT ? 'absent' : showValue(input.a)) : null;
    },
    valueFlow(input) {
      const shown = (value: unknown) => (value === ABSENT ? 'absent' : showValue(value));
      if (input.kind === WRITE) return { writes: shown(input.a), observes: null, resets: true };
      if (input.kind === CAS) return { writes: shown(input.b), observes: shown(input.a), resets: false };
      if (input.kind === READ) return { writes: null, observes: shown(input.a), resets: false };
      return { writes: null, observes: null, resets: false };
    },
    // Only writes and successful cas ops set the value, each to a value it names.
    statesOf(inputs) {
      const states: RegisterState[] = [options.initial];
      const seen = new Set<string>([showValue(options.initial)]);
      for (const input of inputs) {
        const made = input.kind === WRITE ? input.a : input.kind === CAS ? input.b : undefined;
        if (made === undefined) continue;
        const key = showValue(made);
        if (seen.has(key)) continue;
        seen.add(key);
        states.push(made);
      }
      return states;
    },
  };
}

export const casRegister = registerModel({
  name: 'cas-register',
  summary: 'read, write v, cas [from to]; starts at 0; a nil read is legal in any state (Knossos)',
  initial: 0,
  nilRead: 'any',
  cas: true,
});

export const casRegisterAbsent = registerModel({
  name: 'cas-register-absent',
  summary: "read, write v, cas [from to]; starts absent; a nil read means absent; a fail cas is a failed compare (Porcupine's etcd)",
  initial: ABSENT,
  nilRead: 'absent',
  cas: true,
});
