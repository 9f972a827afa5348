/**
 * A float64 reference of src/nn/leaky-mlp.ts in plain JavaScript: forward pass, input gradient by
 * the chain rule, and central finite differences, to check the tfjs ops against.
 */
export interface F64Layer {
  /** [in][out] */
  w: number[][];
  b: number[];
}

/** Layers of an Mlp-like net from its (kernel, bias) values; `scale[i]` divides kernel i (spectral norm's 1/σ). */
export function layersFrom(values: Float32Array[], shapes: number[][], scale: number[] = []): F64Layer[] {
  const layers: F64Layer[] = [];
  for (let i = 0; i < values.length; i += 2) {
    const [rows, cols] = shapes[i];
    const s = scale[i / 2] ?? 1;
    const w = Array.from({ length: rows }, (_, r) => Array.from({ length: cols }, (_, c) => values[i][r * cols + c] / s));
    layers.push({ w, b: Array.from(values[i + 1]) });
  }
  return layers;
}

/** Output and input gradient of Σ_j c_j y_j at x, for a leaky-ReLU net with `slope`. */
export function forwardF64(layers: F64Layer[], x: number[], slope: number, c?: number[]): { y: number[]; grad: number[] } {
  const slopes: number[][] = [];
  let h = x;
  for (let l = 0; l < layers.length; l++) {
    const { w, b } = layers[l];
    const z = b.map((bj, j) => bj + h.reduce((acc, hi, i) => acc + hi * w[i][j], 0));
    if (l + 1 === layers.length) {
      h = z;
      break;
    }
    slopes.push(z.map((v) => (v > 0 ? 1 : slope)));
    h = z.map((v) => (v > 0 ? v : slope * v));
  }
  const y = h;
  let delta = c ?? y.map(() => 1);
  for (let l = layers.length - 1; l >= 0; l--) {
    const { w } = layers[l];
    if (l < layers.length - 1) delta = delta.map((d, j) => d * slopes[l][j]);
    delta = w.map((row) => row.reduce((acc, wij, j) => acc + wij * delta[j], 0));
  }
  return { y, grad: delta };
}

/** Central finite differences of `f` at every entry of `params` (arrays modified and restored). */
export function finiteDifferences(f: () => number, params: number[][], h = 1e-6): number[][] {
  return params.map((p) =>
    p.map((_, i) => {
      const old = p[i];
      p[i] = old + h;
      const up = f();
      p[i] = old - h;
      const down = f();
      p[i] = old;
      return (up - down) / (2 * h);
    }),
  );
}
