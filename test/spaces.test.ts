import t from 'tap';
import { Rng } from '../src/rng.js';
import { Box, Discrete, flatDim, isSpace, spaceFromJSON, spaceToJSON } from '../src/spaces.js';

t.test('Box: per-dimension bounds, shape, float32', async (t) => {
  const b = new Box([-1.2, -0.07], [0.6, 0.07]);
  t.same(b.shape, [2]);
  t.equal(b.size, 2);
  t.equal(b.low[1], Math.fround(-0.07), 'bounds are float32');
  const s = new Box(-2, 2, [3, 2]);
  t.equal(s.size, 6);
  t.equal(s.toString(), 'Box(-2, 2, [3, 2], float32)');
  t.throws(() => new Box(1, 0, [1]), /low\[0\] = 1 exceeds high\[0\] = 0/);
  t.throws(() => new Box([0, 0], [1], undefined), /high has 1 entries, shape needs 2/);
  t.throws(() => new Box(0, 1), /explicit shape/);
  t.throws(() => new Box(NaN, 1, [1]), /NaN/);
});

t.test('Box.sample stays inside bounded dims and follows Gymnasium for unbounded ones', async (t) => {
  const b = new Box([-1, 0, -Infinity, -Infinity], [1, 5, 3, Infinity]);
  const rng = new Rng(0);
  let below3 = true;
  let inside = true;
  let sumNormal = 0;
  for (let i = 0; i < 2000; i++) {
    const x = b.sample(rng);
    inside &&= x instanceof Float32Array && x.length === 4 && x[0] >= -1 && x[0] <= 1 && x[1] >= 0 && x[1] <= 5;
    below3 &&= x[2] <= 3;
    sumNormal += x[3];
  }
  t.ok(inside, 'bounded dims sampled inside [low, high]');
  t.ok(below3, 'upper-bounded dim: high − exponential');
  t.ok(Math.abs(sumNormal / 2000) < 0.1, 'unbounded dim: standard normal');
  t.same(b.sample(new Rng(5)), b.sample(new Rng(5)), 'same stream, same sample');
  t.notOk(b.isBounded());
  t.ok(new Box(-1, 1, [2]).isBounded());
});

t.test('Box.contains checks type, length, bounds and NaN', async (t) => {
  const b = new Box(-1, 1, [2]);
  t.ok(b.contains(new Float32Array([0, 1])));
  t.notOk(b.contains(new Float32Array([0, 1.01])));
  t.notOk(b.contains(new Float32Array([0, NaN])));
  t.notOk(b.contains(new Float64Array([0, 0])));
  t.notOk(b.contains([0, 0]));
  t.notOk(b.contains(new Float32Array([0])));
  t.match(b.explain(new Float32Array([0, 2])), /entry 1 = 2 is outside \[-1, 1\]/);
  t.match(b.explain(new Float32Array([NaN, 0])), /entry 0 is NaN/);
  t.match(b.explain([0, 0]), /Float32Array of length 2, got an array/);
  t.equal(b.explain(new Float32Array([1, -1])), null);
});

t.test('Discrete: sample, contains, start offset', async (t) => {
  const d = new Discrete(3, -1);
  const rng = new Rng(1);
  const seen = new Set<number>();
  for (let i = 0; i < 200; i++) seen.add(d.sample(rng));
  t.same([...seen].sort(), [-1, 0, 1]);
  t.ok(d.contains(1));
  t.notOk(d.contains(2));
  t.notOk(d.contains(0.5));
  t.notOk(d.contains('1'));
  t.match(d.explain(2), /outside \{-1, \.\.\., 1\}/);
  t.equal(new Discrete(2).toString(), 'Discrete(2)');
  t.throws(() => new Discrete(0), /positive integer/);
  t.equal(flatDim(d), 1);
  t.equal(flatDim(new Box(0, 1, [2, 3])), 6);
});

t.test('JSON round trip, infinite bounds included', async (t) => {
  const b = new Box([-Infinity, -1], [Infinity, 2.5]);
  const json = JSON.parse(JSON.stringify(spaceToJSON(b)));
  t.same(json.low, ['-inf', -1]);
  const back = spaceFromJSON(json);
  t.ok(back instanceof Box && isSpace(back));
  t.same(back.toJSON(), b.toJSON());
  const d = spaceFromJSON(JSON.parse(JSON.stringify(new Discrete(4, 2))));
  t.ok(d instanceof Discrete && d.n === 4 && d.start === 2);
  t.throws(() => spaceFromJSON({ type: 'Tuple' }), /unknown type "Tuple"/);
  t.throws(() => spaceFromJSON({ type: 'Box', shape: [1], low: ['x'], high: [1] }), /low\[0\] must be a number/);
  t.throws(() => spaceFromJSON({ type: 'Box', shape: [1], low: [0], high: [1], dtype: 'float64' }), /float64' is not supported/);
  t.throws(() => spaceFromJSON(null), /must be an object/);
});
