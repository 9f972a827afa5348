/**
 * Tiny envs for tests that must not depend on envs/: a 1-D walk with a Box action and a
 * counter with a Discrete action. Both terminate on their own so that TimeLimit and
 * terminated/truncated interplay can be tested.
 */
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../../src/env.js';
import { Box, Discrete } from '../../src/spaces.js';

/** Position x starts in U(−0.1, 0.1); a ∈ [−1, 1] moves it by 0.1·clip(a); terminates at |x| ≥ 1. */
export class WalkEnv extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-2, 2, [1]);
  readonly actionSpace = new Box(-1, 1, [1]);
  x = 0;

  reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    this.x = this.npRandom.uniform(-0.1, 0.1);
    return [new Float32Array([this.x]), {}];
  }

  step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    this.x += 0.1 * Math.max(-1, Math.min(1, action[0]));
    const terminated = Math.abs(this.x) >= 1;
    return [new Float32Array([this.x]), -Math.abs(this.x), terminated, false, { x: this.x }];
  }
}

/** Counts actions of 1; terminates when the count reaches `target`. */
export class CountEnv extends BaseEnv<number, number> {
  readonly observationSpace = new Discrete(100);
  readonly actionSpace = new Discrete(2);
  count = 0;
  constructor(readonly target = 3) {
    super();
  }

  reset(options?: ResetOptions): [number, Info] {
    this.reseed(options);
    this.count = 0;
    return [0, {}];
  }

  step(action: number): StepResult<number> {
    this.checkAction(action);
    this.count += action;
    return [this.count, action, this.count >= this.target, false, {}];
  }
}

/** Remembers the last action it received, for action-wrapper tests. */
export class ActionRecorderEnv extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace: Box;
  last: Float32Array | null = null;
  constructor(low: ArrayLike<number>, high: ArrayLike<number>) {
    super();
    this.actionSpace = new Box(low, high);
  }
  reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    return [Float32Array.of(0), {}];
  }
  step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    this.last = action;
    return [Float32Array.of(0), 0, false, false, {}];
  }
}

/** A constant env with a Discrete action space of `n` actions, for wrappers that need a Box. */
export class DiscreteActionEnv extends BaseEnv<number, number> {
  readonly observationSpace = new Discrete(2);
  readonly actionSpace: Discrete;
  constructor(n = 2) {
    super();
    this.actionSpace = new Discrete(n);
  }
  reset(): [number, Info] {
    return [0, {}];
  }
  step(): StepResult<number> {
    return [0, 0, false, false, {}];
  }
}
