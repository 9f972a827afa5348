/**
 * Base class of every wrapper: forwards everything to the wrapped env. A wrapper overrides
 * only what it changes, as in Gymnasium.
 */
import type { Env, Info, ResetOptions, StepResult } from '../env.js';
import type { EnvSpec } from '../registry.js';
import type { Space, SpaceValue } from '../spaces.js';

export class Wrapper<O extends SpaceValue = SpaceValue, A extends SpaceValue = SpaceValue, IO extends SpaceValue = O, IA extends SpaceValue = A>
  implements Env<O, A>
{
  /** The env directly inside this wrapper. */
  readonly env: Env<IO, IA>;

  constructor(env: Env<IO, IA>) {
    this.env = env;
  }

  get observationSpace(): Space {
    return this.env.observationSpace;
  }

  get actionSpace(): Space {
    return this.env.actionSpace;
  }

  get spec(): EnvSpec | undefined {
    return this.env.spec;
  }

  set spec(spec: EnvSpec | undefined) {
    this.env.spec = spec;
  }

  get metadata(): Record<string, unknown> | undefined {
    return this.env.metadata;
  }

  get unwrapped(): Env {
    return this.env.unwrapped;
  }

  reset(options?: ResetOptions): [O, Info] {
    return this.env.reset(options) as unknown as [O, Info];
  }

  step(action: A): StepResult<O> {
    return this.env.step(action as unknown as IA) as unknown as StepResult<O>;
  }

  render(): string {
    if (typeof this.env.render !== 'function') throw new Error(`${envName(this)} does not support render()`);
    return this.env.render();
  }

  close(): void {
    this.env.close();
  }

  toString(): string {
    const inner = this.env instanceof Wrapper ? String(this.env) : envName(this.env);
    return `${this.constructor.name}<${inner}>`;
  }
}

/** The registered id of an env, or its class name: used in error messages. */
export function envName(env: Env): string {
  return env.spec?.id ?? env.unwrapped.constructor.name;
}

/** Finds the first wrapper of class `cls` in the stack around `env`, or null. */
export function findWrapper<W>(env: Env, cls: abstract new (...args: never[]) => W): W | null {
  let e: Env | undefined = env;
  while (e !== undefined) {
    if (e instanceof cls) return e as unknown as W;
    e = e instanceof Wrapper ? (e.env as Env) : undefined;
  }
  return null;
}
