/**
 * Drawing primitives on an RGB raster (src/report/png.ts): blended pixels, thick straight lines and
 * text in the bitmap font of src/report/font.ts. The plots are built from these alone.
 */
import { glyphPixels } from './font.js';
import type { Raster } from './png.js';

export type Rgb = [number, number, number];

/** Blends colour `c` into the pixel nearest (x, y) with opacity `alpha`; off-raster points are ignored. */
export function put(r: Raster, x: number, y: number, c: Rgb, alpha = 1): void {
  const xi = Math.round(x);
  const yi = Math.round(y);
  if (xi < 0 || yi < 0 || xi >= r.width || yi >= r.height) return;
  const o = (yi * r.width + xi) * 3;
  for (let k = 0; k < 3; k++) r.pixels[o + k] = Math.round(alpha * c[k] + (1 - alpha) * r.pixels[o + k]);
}

/** A straight line from (xa, ya) to (xb, yb), `thickness` pixels wide. */
export function line(r: Raster, xa: number, ya: number, xb: number, yb: number, c: Rgb, thickness = 1): void {
  const steps = Math.max(1, Math.ceil(Math.max(Math.abs(xb - xa), Math.abs(yb - ya))));
  const half = (thickness - 1) / 2;
  for (let i = 0; i <= steps; i++) {
    const x = xa + ((xb - xa) * i) / steps;
    const y = ya + ((yb - ya) * i) / steps;
    for (let dx = -half; dx <= half; dx++) for (let dy = -half; dy <= half; dy++) put(r, x + dx, y + dy, c);
  }
}

/** `s` in the bitmap font, its top-left corner at (x, y), each font pixel `scale` pixels wide. */
export function text(r: Raster, s: string, x: number, y: number, c: Rgb, scale = 2): void {
  let cx = x;
  for (const ch of s) {
    for (const [gx, gy] of glyphPixels(ch)) {
      for (let i = 0; i < scale; i++) for (let j = 0; j < scale; j++) put(r, cx + gx * scale + i, y + gy * scale + j, c);
    }
    cx += 6 * scale;
  }
}
