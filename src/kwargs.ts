/**
 * Validation of env constructor arguments: an unknown or mistyped kwarg is an error that names
 * the env, the argument, and what was expected (a silently ignored typo would change an
 * experiment without a trace).
 */
import { z } from 'zod';

/** Parses `kwargs` with a strict zod object schema; errors name `where` and each bad field. */
export function parseKwargs<S extends z.ZodType>(where: string, schema: S, kwargs: unknown): z.infer<S> {
  const result = schema.safeParse(kwargs ?? {});
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.join('.') : '(kwargs)';
    return `  ${path}: ${issue.message}`;
  });
  throw new TypeError(`${where}: invalid arguments\n${lines.join('\n')}`);
}
