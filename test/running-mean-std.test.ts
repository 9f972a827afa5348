import t from 'tap';
import { RunningMeanStd } from '../src/running-mean-std.js';

t.test('starts at mean 0, var 1, count 1e-4; batch equals sample-by-sample (Chan merge)', async (t) => {
  const a = new RunningMeanStd(2);
  t.same([Array.from(a.mean), Array.from(a.var), a.count], [[0, 0], [1, 1], 1e-4]);
  const data = [1, 100, 2, 110, 4, 90, -3, 101, 0.5, 99];
  a.update(data);
  const b = new RunningMeanStd(2);
  for (let r = 0; r < 5; r++) b.update(data.slice(2 * r, 2 * r + 2));
  for (let j = 0; j < 2; j++) {
    t.ok(Math.abs(a.mean[j] - b.mean[j]) < 1e-12 * Math.abs(a.mean[j]));
    t.ok(Math.abs(a.var[j] - b.var[j]) < 1e-10 * a.var[j]);
  }
  t.ok(Math.abs(a.count - 5.0001) < 1e-12);
  // Population variance of column 0 with the 1e-4 prior at (0, var 1).
  const xs = [1, 2, 4, -3, 0.5];
  const m = xs.reduce((s, x) => s + x, 0) / 5.0001;
  const v = (1e-4 * (1 + m * m) + xs.reduce((s, x) => s + (x - m) ** 2, 0)) / 5.0001;
  t.ok(Math.abs(a.mean[0] - m) < 1e-12 && Math.abs(a.var[0] - v) < 1e-12);
});

t.test('state is JSON and restores exactly; bad input is rejected', async (t) => {
  const a = new RunningMeanStd(3);
  a.update([1, 2, 3, 4, 5, 6]);
  const b = RunningMeanStd.fromState(JSON.parse(JSON.stringify(a.state())));
  t.same(b.state(), a.state());
  t.same(b.normalize([1, 1, 1], 1e-8), a.normalize([1, 1, 1], 1e-8));
  t.throws(() => a.update([1, 2]), /multiple of 3/);
  t.throws(() => a.update([1, NaN, 3]), /row 0, feature 1 is not finite/);
  t.throws(() => a.setState({ mean: [0, 0, 0], var: [1, 1, 1], count: 0 }), /count/);
  t.throws(() => new RunningMeanStd(0), /positive integer/);
});
