/**
 * The training loop's configuration: a strict zod schema with Stable-Baselines3-like defaults,
 * `--set a.b.c=value` parsing, and the layered merge
 * `defaults < per-env tuned defaults < --config FILE.json < command-line flags < --set`.
 *
 * Strictness is the point: an unknown or mistyped key is an error naming the key, where it came
 * from, and the allowed keys, because a silently ignored typo changes an experiment without a
 * trace. `learner` is the algorithm's own config; it is validated by the algorithm's
 * `parseConfig` (src/learner.ts), not here.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { MAX_BUFFER_CAPACITY } from '../buffer.js';
import { MAX_SEED } from '../rng.js';

const count = (min: number) => z.number().int().min(min);

export const loopConfigSchema = z.strictObject({
  /** Registered algorithm name (`sac`, `td3`, ...). */
  algo: z.string().min(1),
  /** Registered env id. */
  env: z.string().min(1),
  /** Env steps to collect in all. */
  steps: count(1),
  /** The run seed; every random stream derives from it. */
  seed: z.number().int().min(0).max(MAX_SEED).default(0),
  /** Replay buffer capacity in transitions. */
  bufferSize: count(1).max(MAX_BUFFER_CAPACITY).default(1_000_000),
  batchSize: count(1).default(256),
  /** Steps of uniformly random actions before the learner acts and updates. */
  learningStarts: count(0).default(100),
  /** Update every `trainFreq` env steps ... */
  trainFreq: count(1).default(1),
  /** ... with this many gradient steps; −1 means as many as env steps collected (`trainFreq`). */
  gradientSteps: count(-1).default(1),
  gamma: z.number().min(0).max(1).default(0.99),
  /** n-step returns (1: the one-step TD target). */
  nStep: count(1).default(1),
  /** Evaluate every this many steps (0: only at the end). */
  evalEvery: count(0).default(5000),
  evalEpisodes: count(1).default(10),
  /** Checkpoint at the first episode end at or after every this many steps (0: only at the end). */
  checkpointEvery: count(0).default(10_000),
  /** One metrics.csv row (and one progress line when not on a terminal) every this many steps. */
  logEvery: count(1).default(1000),
  /** Stop when an evaluation's mean return reaches this (null: never). */
  stopAtReturn: z.number().nullable().default(null),
  /** Constructor arguments of the env, over its registered defaults. */
  envKwargs: z.record(z.string(), z.unknown()).default({}),
  /** Overrides the env's registered episode step limit (null: the registered one). */
  maxEpisodeSteps: count(1).nullable().default(null),
  /** The algorithm's own config, validated by its `parseConfig`. */
  learner: z.record(z.string(), z.unknown()).default({}),
  /**
   * A registered training extension (src/train/extension.ts, e.g. 'gail') and its config, validated
   * by the extension's `parseConfig`; null: plain RL on the env's rewards.
   */
  extension: z.strictObject({ name: z.string().min(1), config: z.record(z.string(), z.unknown()).default({}) }).nullable().default(null),
});

/** A fully resolved loop config (what config.json holds). */
export type LoopConfig = z.infer<typeof loopConfigSchema>;
/** A loop config before defaults are filled. */
export type LoopConfigInput = z.input<typeof loopConfigSchema>;

/** The top-level keys a loop config accepts. */
export const CONFIG_KEYS: readonly string[] = Object.keys(loopConfigSchema.shape);

/** Thrown for invalid configuration; the message is meant for the user as is. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** One source of config values, named for error messages (a file path, `--set x=1`, ...). */
export interface ConfigLayer {
  source: string;
  values: Record<string, unknown>;
}

export interface ResolveConfigOptions {
  /**
   * Per-env tuned defaults (a partial loop + learner config), or a function giving them for the
   * algorithm and env the other layers chose (the CLI passes the algorithm's `tunedDefaults`).
   */
  tuned?: Record<string, unknown> | ((algo: string, env: string) => Record<string, unknown> | undefined);
  /** `--config FILE.json`: a path to read, or `{ source, values }` already read. */
  file?: string | ConfigLayer;
  /** Explicit command-line flags (`--algo`, `--env`, `--steps`, `--seed`); undefined entries are skipped. */
  flags?: Record<string, unknown>;
  /** `--set a.b.c=value` strings, applied in order. */
  sets?: readonly string[];
}

/** Merges the layers in precedence order over the schema's defaults and validates the result. */
export function resolveConfig(options: ResolveConfigOptions): LoopConfig {
  const upper: ConfigLayer[] = [];
  if (options.file !== undefined) upper.push(typeof options.file === 'string' ? readConfigFile(options.file) : options.file);
  const flags = Object.fromEntries(Object.entries(options.flags ?? {}).filter(([, v]) => v !== undefined));
  if (Object.keys(flags).length > 0) upper.push({ source: 'command-line flags', values: flags });
  for (const s of options.sets ?? []) upper.push({ source: `--set ${s}`, values: parseSet(s) });

  let tuned: ConfigLayer | undefined;
  if (typeof options.tuned === 'function') {
    const partial = mergeLayers(upper);
    if (typeof partial.algo === 'string' && typeof partial.env === 'string') {
      const values = options.tuned(partial.algo, partial.env);
      if (values !== undefined) tuned = { source: `tuned defaults of ${partial.algo} for ${partial.env}`, values };
    }
  } else if (options.tuned !== undefined) {
    tuned = { source: 'tuned defaults', values: options.tuned };
  }
  const layers = tuned === undefined ? upper : [tuned, ...upper];
  for (const layer of layers) checkKeys(layer);
  return validate(mergeLayers(layers), layers);
}

/** Validates a complete config object (e.g. a run's config.json), naming `source` in errors. */
export function parseLoopConfig(value: unknown, source: string): LoopConfig {
  if (!isPlainObject(value)) throw new ConfigError(`${source}: expected a JSON object, got ${describeValue(value)}`);
  const layer = { source, values: value };
  checkKeys(layer);
  return validate(value, [layer]);
}

/** Reads a JSON config file; errors name the file. */
export function readConfigFile(path: string): ConfigLayer {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`config file ${path}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let values: unknown;
  try {
    values = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`config file ${path}: not valid JSON (${(e as Error).message})`);
  }
  if (!isPlainObject(values)) throw new ConfigError(`config file ${path}: expected a JSON object at the top level, got ${describeValue(values)}`);
  return { source: path, values };
}

/**
 * Parses `a.b.c=value` into `{ a: { b: { c: value } } }`. The value is JSON when it parses as
 * JSON (`3e-4`, `true`, `null`, `[256,256]`, `"007"`), else the raw string (`Pendulum-v1`).
 */
export function parseSet(assignment: string): Record<string, unknown> {
  const eq = assignment.indexOf('=');
  if (eq < 0) throw new ConfigError(`--set ${assignment}: expected KEY=VALUE (e.g. --set batchSize=128 or --set learner.lr=3e-4)`);
  const path = assignment.slice(0, eq).trim().split('.');
  if (path.some((p) => p.length === 0)) throw new ConfigError(`--set ${assignment}: the key '${assignment.slice(0, eq)}' has an empty part`);
  const raw = assignment.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // not JSON: keep the string
  }
  let out: unknown = value;
  for (let i = path.length - 1; i >= 0; i--) out = { [path[i]]: out };
  return out as Record<string, unknown>;
}

/**
 * Deep merge: plain objects merge key by key, anything else (numbers, strings, arrays, null)
 * in `over` replaces what `base` had; undefined in `over` leaves `base` as it was.
 */
export function deepMerge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) && isPlainObject(out[k]) ? deepMerge(out[k] as Record<string, unknown>, v) : isPlainObject(v) ? deepMerge({}, v) : v;
  }
  return out;
}

function mergeLayers(layers: readonly ConfigLayer[]): Record<string, unknown> {
  return layers.reduce<Record<string, unknown>>((acc, l) => deepMerge(acc, l.values), {});
}

function checkKeys(layer: ConfigLayer): void {
  for (const key of Object.keys(layer.values)) {
    if (!CONFIG_KEYS.includes(key)) {
      throw new ConfigError(`${layer.source}: unknown config key '${key}'; allowed keys: ${CONFIG_KEYS.join(', ')}`);
    }
  }
}

function validate(merged: Record<string, unknown>, layers: readonly ConfigLayer[]): LoopConfig {
  const r = loopConfigSchema.safeParse(merged);
  if (r.success) return r.data;
  const lines = r.error.issues.map((issue) => {
    const path = issue.path.map(String);
    const name = path.length > 0 ? path.join('.') : '(config)';
    const actual = getPath(merged, path);
    if (actual === undefined) return `config: '${name}' is required (give it in --config FILE.json, by --set ${name}=VALUE, or by its flag)`;
    const from = [...layers].reverse().find((l) => getPath(l.values, path) !== undefined);
    // zod's "Invalid input: expected number, received string" becomes "expected number, got "high"".
    const message = issue.message.replace(/^Invalid input: /, '').replace(/, received \w+$/, '');
    return `config.${name}${from === undefined ? '' : ` (from ${from.source})`}: ${message}, got ${describeValue(actual)}`;
  });
  throw new ConfigError(lines.join('\n'));
}

function getPath(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (const p of path) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[p];
  }
  return cur;
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x) && !ArrayBuffer.isView(x);
}

function describeValue(x: unknown): string {
  if (x === undefined) return 'nothing';
  const json = JSON.stringify(x);
  return json === undefined ? String(x) : json.length > 60 ? `${json.slice(0, 57)}...` : json;
}
