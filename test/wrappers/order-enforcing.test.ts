import t from 'tap';
import { BaseEnv, type Info, type ResetOptions, type StepResult } from '../../src/env.js';
import { Box } from '../../src/spaces.js';
import { OrderEnforcing } from '../../src/wrappers/order-enforcing.js';

class Idle extends BaseEnv<Float32Array, Float32Array> {
  readonly observationSpace = new Box(-1, 1, [1]);
  readonly actionSpace = new Box(-1, 1, [1]);
  reset(options?: ResetOptions): [Float32Array, Info] {
    this.reseed(options);
    return [Float32Array.of(0), {}];
  }
  step(action: Float32Array): StepResult<Float32Array> {
    this.checkAction(action);
    return [Float32Array.of(0), 0, false, false, {}];
  }
}

t.test('step before reset is an error naming the fix', async (t) => {
  const env = new OrderEnforcing(new Idle());
  t.throws(() => env.step(Float32Array.of(0)), /Idle: step\(\) called before reset\(\)/);
  env.reset();
  t.same(env.step(Float32Array.of(0)).slice(1, 4), [0, false, false], 'after reset, steps pass through');
});
