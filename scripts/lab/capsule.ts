// A capsule: everything needed to replay a failing run exactly and to know whether it still means
// the same thing. The explicit scenario and seed make the run; the code version, Node version and
// package-lock hash say what code made it; the expected fingerprint and violation say what it did.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../cli/command.js';
import { formatPath, scenarioSchema, type ExplicitScenario } from './scenario.js';
import type { RunResult } from './runner.js';
import { codeVersion, type CodeVersion } from './code-version.js';
import { replayRepro } from './scenario-args.js';
import { jsonProblem } from '../../histories/json-problem.js';

export const CAPSULE_FORMAT = 'crucible.capsule';
export const CAPSULE_VERSION = 1;
export const CAPSULE_DIR = '.crucible/capsules';

const sizeSchema = z.object({ faultEvents: z.number().int().nonnegative(), ops: z.number().int().nonnegative() }).strict();

export const capsuleSchema = z
  .object({
    format: z.literal(CAPSULE_FORMAT),
    version: z.literal(CAPSULE_VERSION),
    system: z.string().min(1),
    /** The module the system was loaded from (`--plugin`), relative to the repository, when not registered. */
    plugin: z.string().min(1).optional(),
    seed: z.number().int().nonnegative(),
    scenario: scenarioSchema,
    expected: z
      .object({
        verdict: z.enum(['valid', 'invalid', 'unknown']),
        violation: z.string().nullable(),
        fingerprint: z.string().min(1),
      })
      .strict(),
    code: z.object({ commit: z.string().nullable(), node: z.string(), lockHash: z.string().nullable() }).strict(),
    /** The failing run as first found, before shrinking. */
    found: sizeSchema.extend({ seed: z.number().int().nonnegative(), fingerprint: z.string() }).optional(),
    /** The capsule's own run: sizes after shrinking. */
    size: sizeSchema,
    shrink: z.object({ runs: z.number().int().nonnegative(), steps: z.array(z.string()) }).strict().optional(),
    /** For people: what the failure said, starting with its repro command. */
    summary: z.string().optional(),
    /** Wall-clock creation time, for people; never compared. */
    createdAt: z.string().optional(),
    /** For a regression capsule: what the bug was and how it was fixed. */
    note: z.string().optional(),
  })
  .strict();

export type Capsule = z.infer<typeof capsuleSchema>;

export interface CapsuleOrigin {
  plugin?: string | null;
  found?: Capsule['found'];
  shrink?: Capsule['shrink'];
  summary?: string;
}

/** The capsule of a run. */
export function capsuleOf(result: RunResult, origin: CapsuleOrigin = {}, code: CodeVersion = codeVersion()): Capsule {
  const capsule: Capsule = {
    format: CAPSULE_FORMAT,
    version: CAPSULE_VERSION,
    system: result.scenario.system,
    seed: result.seed,
    scenario: result.scenario as Capsule['scenario'],
    expected: { verdict: result.verdict, violation: result.violation, fingerprint: result.fingerprint },
    code: { commit: code.commit, node: code.node, lockHash: code.lockHash },
    size: { faultEvents: result.faultEvents, ops: result.ops },
    createdAt: new Date().toISOString(),
  };
  if (origin.plugin !== undefined && origin.plugin !== null) capsule.plugin = origin.plugin;
  if (origin.found !== undefined) capsule.found = origin.found;
  if (origin.shrink !== undefined) capsule.shrink = origin.shrink;
  if (origin.summary !== undefined) capsule.summary = origin.summary;
  return capsule;
}

/** A file name that says what is inside: system, bug (or violation), seed, fingerprint. */
export function capsuleFileName(capsule: Capsule): string {
  const what = (capsule.scenario.bug ?? capsule.expected.violation ?? 'run').replace(/[^\w.-]+/g, '_');
  return `${capsule.system}-${what}-seed${capsule.seed}-${capsule.expected.fingerprint}.json`;
}

/** Writes the capsule under `dir` (created when missing); returns the path. */
export function writeCapsule(capsule: Capsule, dir: string = CAPSULE_DIR): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, capsuleFileName(capsule));
  writeFileSync(path, `${JSON.stringify(capsule, null, 2)}\n`);
  return path;
}

/** Validates a parsed capsule; the error names the file and the JSON path of the bad field. */
export function parseCapsule(json: unknown, source: string): Capsule {
  const result = capsuleSchema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new UsageError(`${source}: ${formatPath(issue.path)}: ${issue.message} (is this a capsule written by crucible fuzz?)`);
}

export function readCapsule(path: string): Capsule {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`${path}: cannot read the capsule (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${path}: not valid JSON (${jsonProblem(error)})`);
  }
  return parseCapsule(json, path);
}

/** Why a capsule's code differs from this process's code, or null when it is the same. */
export function codeDrift(capsule: Capsule, code: CodeVersion = codeVersion()): string | null {
  const differences: string[] = [];
  if (capsule.code.commit !== null && code.commit !== null && capsule.code.commit !== code.commit) {
    differences.push(`commit ${capsule.code.commit.slice(0, 12)} -> ${code.commit.slice(0, 12)}`);
  }
  if (capsule.code.node !== code.node) differences.push(`node ${capsule.code.node} -> ${code.node}`);
  if (capsule.code.lockHash !== null && code.lockHash !== null && capsule.code.lockHash !== code.lockHash) {
    differences.push(`package-lock ${capsule.code.lockHash} -> ${code.lockHash}`);
  }
  return differences.length === 0 ? null : differences.join(', ');
}

/** The replay command of a capsule file. */
export function capsuleRepro(path: string): string {
  return replayRepro(path);
}

export type { ExplicitScenario };
