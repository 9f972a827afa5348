/**
 * Shared option parsing for CLI commands: values are validated with zod at the boundary, and a
 * bad value names the option, what was given, and what is expected.
 */
import { z } from 'zod';

/** Commander accumulator for repeatable options (`--import a --import b`). */
export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Parses `value` of option `name` with `schema`, or throws a message for the user. */
export function parseOption<S extends z.ZodType>(name: string, schema: S, value: unknown): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw new CliError(`option ${name}: ${r.error.issues.map((i) => i.message).join('; ')} (got ${JSON.stringify(value)})`);
}

export const positiveInt = z.coerce.number().int('must be an integer').positive('must be positive');
export const seedValue = z.coerce.number().int('must be an integer').nonnegative('must be non-negative').max(Number.MAX_SAFE_INTEGER);

/** An error whose message is shown to the user as is, without a stack trace. */
export class CliError extends Error {}

/** Ends a command with a non-zero exit code after it has said why (nothing more is printed). */
export class ExitStatus extends Error {
  constructor(readonly code: number) {
    super(`exit status ${code}`);
  }
}
