/**
 * A mistake in how the CLI was called (or in what it was pointed at, such as invalid seeds): the
 * CLI prints the message without a stack trace, suggests --help and exits 2.
 */
export class UsageError extends Error {}

export function fail(message: string): never {
  throw new UsageError(message);
}

/** A whole, non-negative number option (`--workers 0` means "on this thread", `--port 0` "any free port"). */
export function positiveInteger(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number < 0) fail(`${name} must be a whole number, not "${value}"`);
  return number;
}
