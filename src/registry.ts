/**
 * The env registry: `register(id, factory, spec)` and `make(id, options)`, as Gymnasium's.
 *
 * `make` builds the env from its factory with the spec's default kwargs (overridden by the
 * caller's), then applies the standard stack: PassiveEnvChecker (first reset/step checked
 * against the spaces, every step checked for NaN/Inf), OrderEnforcing, TimeLimit (when the spec
 * or the caller sets `maxEpisodeSteps`), then the spec's own extra wrappers.
 */
import type { Env } from './env.js';
import { OrderEnforcing } from './wrappers/order-enforcing.js';
import { PassiveEnvChecker } from './wrappers/passive-env-checker.js';
import { TimeLimit } from './wrappers/time-limit.js';

/** Everything `make` needs to know about a registered env. */
export interface EnvSpec {
  /** `[namespace/]Name[-vN]`, e.g. `Pendulum-v1` or `myorg/Reacher-v0`. */
  readonly id: string;
  /** Builds a fresh, unwrapped env from the merged kwargs. */
  readonly factory: EnvFactory;
  /** Episode step limit applied by a TimeLimit wrapper; undefined means none. */
  readonly maxEpisodeSteps?: number;
  /** Average return at which the task counts as solved. */
  readonly rewardThreshold?: number;
  /** Default constructor arguments (Gymnasium's names, e.g. `{ g: 10 }` for Pendulum). */
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** True when the same seed does not reproduce an episode. */
  readonly nondeterministic: boolean;
  /** Whether `make` adds OrderEnforcing (default true). */
  readonly orderEnforce: boolean;
  /** Whether `make` skips the PassiveEnvChecker (default false). */
  readonly disableEnvChecker: boolean;
  /** Extra wrappers applied after the standard ones, innermost first. */
  readonly wrappers: readonly ((env: Env) => Env)[];
  /** One line for `imitate envs`. */
  readonly description?: string;
}

/** Builds an unwrapped env from keyword arguments. */
export type EnvFactory = (kwargs: Record<string, unknown>) => Env;

/** The optional fields of {@link EnvSpec}, as passed to {@link register}. */
export type EnvSpecOptions = Partial<Omit<EnvSpec, 'id' | 'factory'>> & {
  /** Replace an existing registration of the same id instead of failing. */
  override?: boolean;
};

/** Options of {@link make}. */
export interface MakeOptions {
  /** Constructor arguments, merged over the spec's defaults. */
  kwargs?: Record<string, unknown>;
  /** Overrides the spec's step limit; `null` removes the TimeLimit. */
  maxEpisodeSteps?: number | null;
  /** Skip the PassiveEnvChecker. */
  disableEnvChecker?: boolean;
}

const ID_PATTERN = /^(?:[\w:-]+\/)?[\w:.-]+?(?:-v\d+)?$/;

const specs = new Map<string, EnvSpec>();

/**
 * Registers an env under `id` so that `make(id)` and every `--env id` option find it.
 *
 * ```ts
 * register('GridWalk-v0', (kw) => new GridWalk(kw), { maxEpisodeSteps: 100 });
 * ```
 */
export function register(id: string, factory: EnvFactory, options: EnvSpecOptions = {}): EnvSpec {
  if (typeof id !== 'string' || !ID_PATTERN.test(id)) {
    throw new TypeError(`register: invalid env id ${JSON.stringify(id)}; expected '[namespace/]Name[-vN]', e.g. 'MyEnv-v0'`);
  }
  if (typeof factory !== 'function') throw new TypeError(`register('${id}'): factory must be a function (kwargs) => Env, got ${typeof factory}`);
  if (specs.has(id) && options.override !== true) {
    throw new Error(`register: '${id}' is already registered; pass { override: true } to replace it`);
  }
  const { maxEpisodeSteps, rewardThreshold } = options;
  if (maxEpisodeSteps !== undefined && (!Number.isSafeInteger(maxEpisodeSteps) || maxEpisodeSteps <= 0)) {
    throw new RangeError(`register('${id}'): maxEpisodeSteps must be a positive integer, got ${maxEpisodeSteps}`);
  }
  if (rewardThreshold !== undefined && !Number.isFinite(rewardThreshold)) {
    throw new RangeError(`register('${id}'): rewardThreshold must be a finite number, got ${rewardThreshold}`);
  }
  const spec: EnvSpec = Object.freeze({
    id,
    factory,
    maxEpisodeSteps,
    rewardThreshold,
    kwargs: Object.freeze({ ...(options.kwargs ?? {}) }),
    nondeterministic: options.nondeterministic ?? false,
    orderEnforce: options.orderEnforce ?? true,
    disableEnvChecker: options.disableEnvChecker ?? false,
    wrappers: Object.freeze([...(options.wrappers ?? [])]),
    description: options.description,
  });
  specs.set(id, spec);
  return spec;
}

/**
 * Registers a package's built-in envs, skipping ids that are already registered: a second copy of
 * the registering module (loaded from both src/ and dist/, say) must not fail, and a user's own
 * earlier registration of an id is kept.
 */
export function registerBuiltins(entries: readonly (readonly [id: string, factory: EnvFactory, options: EnvSpecOptions])[]): void {
  for (const [id, factory, options] of entries) {
    if (!specs.has(id)) register(id, factory, options);
  }
}

/** Removes a registration (mostly for tests). Returns whether it existed. */
export function unregister(id: string): boolean {
  return specs.delete(id);
}

/** The registration of `id`; throws an error naming the closest registered ids if there is none. */
export function spec(id: string): EnvSpec {
  const s = specs.get(id);
  if (s === undefined) throw new Error(unknownIdMessage(id));
  return s;
}

/** All registrations, sorted by id. */
export function registeredEnvs(): EnvSpec[] {
  return [...specs.values()].sort((a, b) => a.id.localeCompare(b.id));
}

/**
 * Creates an env by id with the registered wrappers, or wraps a ready instance the same way.
 *
 * ```ts
 * const env = make('Pendulum-v1', { kwargs: { g: 9.81 } });
 * const [obs] = env.reset({ seed: 0 });
 * ```
 */
export function make(idOrEnv: string | Env, options: MakeOptions = {}): Env {
  let env: Env;
  let limit: number | undefined;
  let extra: readonly ((env: Env) => Env)[] = [];
  let orderEnforce = true;
  let checker = !(options.disableEnvChecker ?? false);
  if (typeof idOrEnv === 'string') {
    const s = spec(idOrEnv);
    env = s.factory({ ...s.kwargs, ...(options.kwargs ?? {}) });
    if (env === null || typeof env !== 'object' || typeof env.step !== 'function' || typeof env.reset !== 'function') {
      throw new TypeError(`make('${idOrEnv}'): the registered factory returned ${env === null ? 'null' : typeof env}, not an env with reset() and step()`);
    }
    env.spec = s;
    limit = s.maxEpisodeSteps;
    extra = s.wrappers;
    orderEnforce = s.orderEnforce;
    checker = checker && !s.disableEnvChecker;
  } else {
    if (options.kwargs !== undefined) throw new TypeError('make: kwargs apply only when making an env by id, not to an instance');
    env = idOrEnv;
  }
  if (options.maxEpisodeSteps !== undefined) limit = options.maxEpisodeSteps ?? undefined;
  if (checker) env = new PassiveEnvChecker(env);
  if (orderEnforce) env = new OrderEnforcing(env);
  if (limit !== undefined) env = new TimeLimit(env, limit);
  for (const w of extra) env = w(env);
  return env;
}

function unknownIdMessage(id: string): string {
  const all = [...specs.keys()];
  const name = id.replace(/-v\d+$/, '');
  const versions = all.filter((k) => k.replace(/-v\d+$/, '') === name);
  const close = all
    .map((k) => ({ k, d: editDistance(id.toLowerCase(), k.toLowerCase()) }))
    .filter(({ k, d }) => d <= Math.max(3, Math.floor(id.length / 3)) && !versions.includes(k))
    .sort((a, b) => a.d - b.d)
    .slice(0, 3)
    .map(({ k }) => k);
  const suggestions = [...versions, ...close];
  let msg = `No env registered with id '${id}'.`;
  if (versions.length > 0) msg += ` Registered versions of '${name}': ${versions.join(', ')}.`;
  else if (suggestions.length > 0) msg += ` Did you mean: ${suggestions.join(', ')}?`;
  if (all.length === 0) msg += ' No env is registered at all: import the module that registers them (e.g. imitate/envs, or --import MODULE on the CLI).';
  else msg += ` See 'imitate envs' for the ${all.length} registered ids.`;
  return msg;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length];
}
