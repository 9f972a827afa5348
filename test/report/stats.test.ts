import { readFileSync } from 'node:fs';
import t from 'tap';
import { Rng } from '../../src/rng.js';
import {
  iqm,
  iqmInterval,
  meanInterval,
  sampleMeanStd,
  percentileInterval,
  percentileSorted,
  probabilityOfImprovement,
  probabilityOfImprovementInterval,
  stratifiedBootstrap,
  trimmedMean,
  type IndexSource,
  type Strata,
} from '../../src/report/stats.js';

/** Replays resample indices drawn elsewhere, checking each against the range asked for. */
class Replay implements IndexSource {
  private k = 0;
  constructor(private readonly indices: readonly number[]) {}
  int(n: number): number {
    if (this.k >= this.indices.length) throw new Error(`replay: draw ${this.k + 1} asked for, only ${this.indices.length} stored`);
    const i = this.indices[this.k++];
    if (!(i >= 0 && i < n)) throw new Error(`replay: draw ${this.k} is ${i}, outside [0, ${n})`);
    return i;
  }
  get used(): number {
    return this.k;
  }
}

/** The trimmed mean written the slow way: take away the minimum and the maximum one at a time. */
function bruteTrimmedMean(values: readonly number[], proportion: number): number {
  const rest = [...values];
  const cut = Math.floor(proportion * values.length);
  for (let k = 0; k < cut; k++) {
    rest.splice(rest.indexOf(Math.min(...rest)), 1);
    rest.splice(rest.indexOf(Math.max(...rest)), 1);
  }
  return rest.reduce((a, b) => a + b, 0) / rest.length;
}

/** Fraction of pairs with x > y, ties half, averaged over tasks: counted pair by pair. */
function brutePoi(x: Strata, y: Strata): number {
  let total = 0;
  x.forEach((xs, task) => {
    const pairs = xs.flatMap((a) => y[task].map((b) => [a, b] as const));
    total += pairs.filter(([a, b]) => a > b).length / pairs.length + (0.5 * pairs.filter(([a, b]) => a === b).length) / pairs.length;
  });
  return total / x.length;
}

/** Mann–Whitney U from mid-ranks (a different route to the same number as pair counting). */
function rankPoi(xs: readonly number[], ys: readonly number[]): number {
  const all = [...xs.map((v) => ({ v, x: true })), ...ys.map((v) => ({ v, x: false }))].sort((a, b) => a.v - b.v);
  const ranks = new Array<number>(all.length);
  for (let i = 0; i < all.length; ) {
    let j = i;
    while (j + 1 < all.length && all[j + 1].v === all[i].v) j++;
    for (let k = i; k <= j; k++) ranks[k] = (i + j) / 2 + 1;
    i = j + 1;
  }
  const rankSum = all.reduce((s, e, k) => s + (e.x ? ranks[k] : 0), 0);
  return (rankSum - (xs.length * (xs.length + 1)) / 2) / (xs.length * ys.length);
}

const close = (a: number, b: number, tol = 1e-12) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));

t.test('IQM: hand values for n = 4, 5, 8, 10 and ties', async (t) => {
  t.equal(iqm([[4, 1, 3, 2]]), 2.5, 'n = 4 drops one each side: mean(2, 3)');
  t.equal(iqm([[1, 2, 100, 3, 4]]), 3, 'n = 5 drops one each side: mean(2, 3, 4)');
  t.equal(iqm([[7, 6, 5, 4], [3, 2, 1, 0]]), 3.5, 'n = 8 pooled over two tasks drops two each side: mean(2..5)');
  t.equal(iqm([[10, 9, 8, 7, 6, 5, 4, 3, 2, 1]]), 5.5, 'n = 10 drops two each side: mean(3..8)');
  t.equal(iqm([[1, 1, 1, 5]]), 1, 'ties at the bottom');
  t.equal(iqm([[0, 2, 2, 2, 2, 9]]), 2, 'n = 6 with ties in the middle');
  t.equal(iqm([[3]]), 3, 'one run');
  t.equal(trimmedMean([1, 2, 3, 4, 5, 6, 7], 0.25), 4, 'n = 7: int(1.75) = 1 dropped each side');
});

t.test('IQM matches a brute-force float64 trimmed mean on random data', async (t) => {
  const rng = new Rng(11).stream('iqm');
  for (let trial = 0; trial < 40; trial++) {
    const tasks = 1 + rng.int(4);
    const strata = Array.from({ length: tasks }, () => Array.from({ length: 1 + rng.int(9) }, () => Math.round(rng.normal() * 4) / 4));
    const flat = strata.flat();
    t.ok(close(iqm(strata), bruteTrimmedMean(flat, 0.25)), `trial ${trial}: n = ${flat.length}`);
  }
});

t.test('percentiles interpolate as NumPy', async (t) => {
  t.equal(percentileSorted([1, 2, 3, 4], 50), 2.5);
  t.equal(percentileSorted([1, 2, 3, 4], 0), 1);
  t.equal(percentileSorted([1, 2, 3, 4], 100), 4);
  t.ok(close(percentileSorted([0, 10, 20, 30, 40], 2.5), 1), '(n − 1)·0.025 = 0.1 of the way to 10');
  t.ok(close(percentileSorted([0, 10, 20, 30, 40], 97.5), 39));
  t.same(percentileInterval(Float64Array.from([4, 0, 3, 1, 2]), 0.5), [1, 3]);
  t.throws(() => percentileSorted([], 50), /no values/);
  t.throws(() => percentileInterval(new Float64Array(3), 1), /size must be in \(0, 1\)/);
});

const reference = JSON.parse(readFileSync(new URL('../fixtures/report_stats_reference.json', import.meta.url), 'utf8')) as {
  iqm: { name: string; strata: number[][]; reps: number; indices: number[]; iqm: number; interval: [number, number] }[];
  poi: { name: string; x: number[][]; y: number[][]; reps: number; indices: number[]; poi: number; interval: [number, number] }[];
};

t.test('stratified-bootstrap IQM interval equals the NumPy reference on the same resamples', async (t) => {
  for (const c of reference.iqm) {
    const rng = new Replay(c.indices);
    const got = iqmInterval(c.strata, { rng, reps: c.reps });
    t.equal(rng.used, c.indices.length, `${c.name}: every stored index used, in order`);
    t.ok(close(got.point, c.iqm), `${c.name}: IQM ${got.point} vs ${c.iqm}`);
    t.ok(close(got.lo, c.interval[0]), `${c.name}: lower ${got.lo} vs ${c.interval[0]}`);
    t.ok(close(got.hi, c.interval[1]), `${c.name}: upper ${got.hi} vs ${c.interval[1]}`);
  }
});

t.test('probability-of-improvement interval equals the NumPy reference on the same resamples', async (t) => {
  for (const c of reference.poi) {
    const rng = new Replay(c.indices);
    const got = probabilityOfImprovementInterval(c.x, c.y, { rng, reps: c.reps });
    t.equal(rng.used, c.indices.length, `${c.name}: every stored index used, in order`);
    t.ok(close(got.point, c.poi), `${c.name}: P ${got.point} vs ${c.poi}`);
    t.ok(close(got.lo, c.interval[0]), `${c.name}: lower ${got.lo} vs ${c.interval[0]}`);
    t.ok(close(got.hi, c.interval[1]), `${c.name}: upper ${got.hi} vs ${c.interval[1]}`);
  }
});

/** Scores at evenly spaced quantiles of a fixed shape: more runs, same spread. */
const spread = (n: number, centre: number) => Array.from({ length: n }, (_, i) => centre + Math.tan(Math.PI * ((i + 0.5) / n - 0.5)) * 0.1);

t.test('bootstrap intervals: deterministic per seed, around the estimate, narrower with more runs', async (t) => {
  const strata = [spread(5, 0.8), spread(5, 0.4)];
  const a = iqmInterval(strata, { rng: new Rng(3).stream('ci'), reps: 1000 });
  const b = iqmInterval(strata, { rng: new Rng(3).stream('ci'), reps: 1000 });
  const c = iqmInterval(strata, { rng: new Rng(4).stream('ci'), reps: 1000 });
  t.same(a, b, 'same seed, same interval');
  t.not(a.lo === c.lo && a.hi === c.hi, true, 'another seed, other resamples');
  t.ok(a.lo <= a.point && a.point <= a.hi, `IQM ${a.point} in [${a.lo}, ${a.hi}]`);
  const wide = iqmInterval([spread(4, 0.8), spread(4, 0.4)], { rng: new Rng(5), reps: 1000 });
  const narrow = iqmInterval([spread(40, 0.8), spread(40, 0.4)], { rng: new Rng(5), reps: 1000 });
  t.ok(narrow.hi - narrow.lo < 0.6 * (wide.hi - wide.lo), `width ${narrow.hi - narrow.lo} with 40 runs per task vs ${wide.hi - wide.lo} with 4`);

  const m = meanInterval([spread(6, 0.5)], { rng: new Rng(6), reps: 1000 });
  t.ok(close(m.point, 0.5, 1e-9), 'the mean of a symmetric spread is its centre');
  t.ok(m.lo < m.point && m.point < m.hi, `mean ${m.point} in [${m.lo}, ${m.hi}]`);
  const same = iqmInterval([[0.5, 0.5, 0.5]], { rng: new Rng(0), reps: 50 });
  t.same(same, { point: 0.5, lo: 0.5, hi: 0.5 }, 'no spread, no interval');
});

t.test('a stratified resample draws only within each task', async (t) => {
  const strata = [[1, 2, 3], [100, 200]];
  const seen: number[][] = [];
  stratifiedBootstrap(strata, (pooled) => {
    seen.push([...pooled]);
    return 0;
  }, { rng: new Rng(9), reps: 200 });
  t.ok(seen.every((s) => s.length === 5 && s.slice(0, 3).every((v) => v < 10) && s.slice(3).every((v) => v >= 100)), 'first three from task 0, last two from task 1');
  t.ok(seen.some((s) => new Set(s.slice(0, 3)).size < 3), 'with replacement');
});

t.test('probability of improvement: pair counting, ranks, ties, complement', async (t) => {
  t.equal(probabilityOfImprovement([[1, 2]], [[0, 0]]), 1);
  t.equal(probabilityOfImprovement([[1, 1]], [[1, 1]]), 0.5, 'identical: one half');
  t.equal(probabilityOfImprovement([[1, 3], [0]], [[2], [0]]), 0.5, 'task 0: 1/2, task 1: a tie = 1/2');
  t.equal(probabilityOfImprovement([[2, 2, 1]], [[2, 0]]), (1.5 + 1.5 + 1) / 6, 'ties count half');
  const rng = new Rng(21).stream('poi');
  for (let trial = 0; trial < 30; trial++) {
    const tasks = 1 + rng.int(3);
    const draw = () => Array.from({ length: 1 + rng.int(6) }, () => rng.int(5) / 4);
    const x = Array.from({ length: tasks }, draw);
    const y = Array.from({ length: tasks }, draw);
    const p = probabilityOfImprovement(x, y);
    t.ok(close(p, brutePoi(x, y)), `trial ${trial}: vs pair counting`);
    t.ok(close(p, x.reduce((s, xs, k) => s + rankPoi(xs, y[k]), 0) / tasks), `trial ${trial}: vs rank sums`);
    t.ok(close(p + probabilityOfImprovement(y, x), 1), `trial ${trial}: P(X > Y) + P(Y > X) = 1`);
  }
  const ci = probabilityOfImprovementInterval([spread(5, 0.8)], [spread(5, 0.5)], { rng: new Rng(1), reps: 500 });
  t.ok(ci.lo <= ci.point && ci.point <= ci.hi && ci.lo >= 0 && ci.hi <= 1, `P ${ci.point} in [${ci.lo}, ${ci.hi}] within [0, 1]`);
  t.throws(() => probabilityOfImprovement([[1]], [[1], [2]]), /X has 1 tasks, Y 2/);
});

t.test('bad input is named', async (t) => {
  t.throws(() => iqm([]), /no values/);
  t.throws(() => iqmInterval([[1], []], { rng: new Rng(0) }), /task 1 has no runs/);
  t.throws(() => iqmInterval([[1, Number.NaN]], { rng: new Rng(0) }), /task 0 holds a non-finite score/);
  t.throws(() => iqmInterval([[1, 2]], { rng: new Rng(0), reps: 0 }), /reps must be a positive integer/);
  t.throws(() => trimmedMean([1, 2], 0.5), /proportion must be in \[0, 0.5\)/);
});

t.test('mean and sample standard deviation', async (t) => {
  const { mean, std } = sampleMeanStd([2, 4, 4, 4, 5, 5, 7, 9]);
  t.equal(mean, 5);
  t.ok(close(std, Math.sqrt(32 / 7)));
  t.ok(Number.isNaN(sampleMeanStd([3]).std), 'one value: no spread');
});
