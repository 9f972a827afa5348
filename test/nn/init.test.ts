import t from 'tap';
import { glorotUniform, initWeights, orthogonal, zeros } from '../../src/nn/init.js';
import { Rng } from '../../src/rng.js';

/** max |MᵀM − gain²·I| (over columns) or |MMᵀ − gain²·I| (over rows) in float64. */
function orthogonalityError(w: Float32Array, rows: number, cols: number, gain: number, overColumns: boolean): number {
  const n = overColumns ? cols : rows;
  const at = (i: number, j: number) => w[i * cols + j];
  let worst = 0;
  for (let p = 0; p < n; p++) {
    for (let q = 0; q < n; q++) {
      let dot = 0;
      if (overColumns) for (let i = 0; i < rows; i++) dot += at(i, p) * at(i, q);
      else for (let j = 0; j < cols; j++) dot += at(p, j) * at(q, j);
      worst = Math.max(worst, Math.abs(dot - (p === q ? gain * gain : 0)));
    }
  }
  return worst;
}

t.test('orthogonal: WᵀW = gain²·I for tall, square and wide matrices', async (t) => {
  for (const [rows, cols, gain] of [[64, 16, Math.SQRT2], [32, 32, 1], [6, 40, 0.01], [17, 256, Math.SQRT2]] as const) {
    const w = orthogonal(rows, cols, new Rng(3), gain);
    t.equal(w.length, rows * cols);
    const err = orthogonalityError(w, rows, cols, gain, rows >= cols);
    // float32 rounding of entries of size ~gain/√n bounds the error near 1e-7·gain².
    t.ok(err < 1e-6 * Math.max(1, gain * gain), `[${rows}, ${cols}] gain ${gain.toFixed(3)}: error ${err.toExponential(2)}`);
  }
});

t.test('orthogonal is deterministic per seed and Haar-like (column signs not biased)', async (t) => {
  t.same(orthogonal(20, 10, new Rng(5)), orthogonal(20, 10, new Rng(5)));
  t.not(orthogonal(20, 10, new Rng(5))[0], orthogonal(20, 10, new Rng(6))[0]);
  let positive = 0;
  for (let s = 0; s < 200; s++) if (orthogonal(8, 8, new Rng(s))[0] > 0) positive++;
  t.ok(positive > 70 && positive < 130, `first entry positive in ${positive}/200 draws`);
});

t.test('glorot uniform has the right range and variance', async (t) => {
  const w = glorotUniform(200, 300, new Rng(1));
  const limit = Math.sqrt(6 / 500);
  let sq = 0;
  for (const v of w) {
    if (Math.abs(v) > limit) t.fail(`value ${v} outside ±${limit}`);
    sq += v * v;
  }
  const variance = sq / w.length;
  t.ok(Math.abs(variance - 2 / 500) < 0.05 * (2 / 500), `variance ${variance} ≈ 2/(fanIn+fanOut)`);
  t.same(glorotUniform(3, 4, new Rng(9), 2), glorotUniform(3, 4, new Rng(9), 2));
});

t.test('initWeights dispatches and validates', async (t) => {
  t.same(initWeights('glorot', 4, 5, new Rng(1)), glorotUniform(4, 5, new Rng(1)));
  t.same(initWeights('orthogonal', 4, 5, new Rng(1), 2), orthogonal(4, 5, new Rng(1), 2));
  t.throws(() => initWeights('he' as never, 2, 2, new Rng(1)), /unknown init scheme 'he'/);
  t.throws(() => orthogonal(0, 3, new Rng(1)), /positive integers, got \[0, 3\]/);
  t.same(zeros(3), new Float32Array(3));
});
