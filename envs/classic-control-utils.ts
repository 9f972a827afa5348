/**
 * Small helpers shared by the classic-control envs: Gymnasium's reset-bound parsing and the
 * arithmetic details (Python's floored modulo) that a faithful port needs.
 */

/** Python's `a % n`: the result takes the sign of `n` (JavaScript's `%` takes the sign of `a`). */
export function pyMod(a: number, n: number): number {
  const r = a % n;
  return r !== 0 && r < 0 !== n < 0 ? r + n : r;
}

/**
 * Reads one numeric reset option, as Gymnasium's `verify_number_and_cast`: absent means
 * `fallback`; anything but a finite number is an error naming the option.
 */
export function numberOption(where: string, options: Record<string, unknown> | undefined, key: string, fallback: number): number {
  const value = options?.[key];
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new TypeError(`${where}: reset option '${key}' must be a finite number, got ${JSON.stringify(value) ?? String(value)}`);
  }
  return value;
}

/**
 * Gymnasium's `maybe_parse_reset_bounds`: the `low`/`high` reset options, each defaulting to the
 * env's own bound, with `low <= high` required. Custom bounds may put the state outside the
 * observation space; Gymnasium allows that too.
 */
export function resetBounds(where: string, options: Record<string, unknown> | undefined, defaultLow: number, defaultHigh: number): [number, number] {
  const low = numberOption(where, options, 'low', defaultLow);
  const high = numberOption(where, options, 'high', defaultHigh);
  if (low > high) throw new RangeError(`${where}: reset option low (${low}) must not exceed high (${high})`);
  return [low, high];
}

/** Throws when `step` is called before the first `reset` (the state does not exist yet). */
export function requireState<T>(where: string, state: T | null): T {
  if (state === null) throw new Error(`${where}: step() called before reset(); call reset() first`);
  return state;
}
