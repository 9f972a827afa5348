import t from 'tap';
import { assertSeed, Rng } from '../src/rng.js';

t.test('same seed gives the same draws, different seeds differ', async (t) => {
  const draw = (seed: number) => {
    const r = new Rng(seed);
    return [r.random(), r.normal(), r.int(1000), r.uniform(-2, 2), r.exponential(), r.seed()];
  };
  t.same(draw(7), draw(7));
  t.not(draw(7)[0], draw(8)[0]);
});

t.test('named streams depend on the key, not on the parent position', async (t) => {
  const a = new Rng(7);
  const first = a.stream('env').random();
  for (let i = 0; i < 10; i++) a.random();
  t.equal(a.stream('env').random(), first);
  t.not(a.stream('buffer').random(), first, 'different names give different streams');
  t.equal(new Rng(7).stream('env').stream('x').key, '7/env/x');
  t.throws(() => a.stream(''), /must not be empty/);
});

t.test('state round trip replays the same draws, including the cached normal', async (t) => {
  const r = new Rng(123);
  r.random();
  r.normal(); // leaves a spare deviate cached
  const saved = JSON.parse(JSON.stringify(r.state()));
  t.type(saved.spare, 'number');
  const expected = [r.normal(), r.random(), r.normal(), r.int(10)];
  const restored = Rng.fromState(saved);
  t.same([restored.normal(), restored.random(), restored.normal(), restored.int(10)], expected);
  const same = new Rng(1);
  same.setState(saved);
  t.equal(same.normal(), expected[0]);
  t.throws(() => same.setState({ a: 1, b: 2, c: 'x', d: 4, spare: null } as never), /field 'c'/);
});

t.test('distributions have the right moments and ranges', async (t) => {
  const r = new Rng(2024);
  const n = 50_000;
  let su = 0;
  let sn = 0;
  let sn2 = 0;
  let se = 0;
  let minU = 1;
  let maxU = 0;
  const counts = new Array(5).fill(0);
  for (let i = 0; i < n; i++) {
    const u = r.random();
    minU = Math.min(minU, u);
    maxU = Math.max(maxU, u);
    su += u;
    const z = r.normal();
    sn += z;
    sn2 += z * z;
    se += r.exponential();
    counts[r.int(5)] += 1;
  }
  t.ok(minU >= 0 && maxU < 1, 'uniform in [0, 1)');
  t.ok(Math.abs(su / n - 0.5) < 0.01, `uniform mean ${su / n}`);
  t.ok(Math.abs(sn / n) < 0.02, `normal mean ${sn / n}`);
  t.ok(Math.abs(sn2 / n - 1) < 0.03, `normal variance ${sn2 / n}`);
  t.ok(Math.abs(se / n - 1) < 0.03, `exponential mean ${se / n}`);
  for (const c of counts) t.ok(Math.abs(c / n - 0.2) < 0.01, `int(5) bucket ${c / n}`);
  t.throws(() => r.int(0), /positive integer/);
});

t.test('seeds are validated', async (t) => {
  t.throws(() => new Rng(-1), /non-negative integer/);
  t.throws(() => new Rng(1.5), /non-negative integer/);
  t.throws(() => assertSeed('3', 'reset seed'), /reset seed must be/);
  t.doesNotThrow(() => new Rng(Number.MAX_SAFE_INTEGER));
  t.ok(Number.isSafeInteger(Rng.fromEntropy().seed()));
});
