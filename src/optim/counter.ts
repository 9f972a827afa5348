/**
 * Exact integer counters in float32 checkpoint tensors: a float32 holds integers exactly only up
 * to 2^24, so a count is stored as the pair (⌊n / 2^24⌋, n mod 2^24), exact for any n < 2^48.
 */
const SPLIT = 2 ** 24;

/** The two float32-exact halves of the non-negative integer `n`. */
export function splitCount(n: number): [number, number] {
  return [Math.floor(n / SPLIT), n % SPLIT];
}

/** The integer {@link splitCount} split; `what` names it in the error. */
export function joinCount(hi: number, lo: number, what: string): number {
  const n = hi * SPLIT + lo;
  if (!Number.isSafeInteger(n) || n < 0 || lo >= SPLIT) throw new Error(`${what}: invalid count (${hi}, ${lo})`);
  return n;
}
