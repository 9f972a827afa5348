import t from 'tap';
import { Rng } from '../src/rng.js';

t.test('same seed, same draws; streams independent of parent position', async (t) => {
  const a = new Rng(7);
  const b = new Rng(7);
  const xs = Array.from({ length: 5 }, () => a.random());
  t.same(xs, Array.from({ length: 5 }, () => b.random()));
  const s1 = new Rng(7).stream('env').random();
  a.random();
  t.equal(a.stream('env').random(), s1);
});
