/**
 * Errors that reach the user as the single `core.setFailed` line.
 *
 * Every failure a user can cause or fix is one of these, so the message names
 * what to look at (an input, a step) and what was expected.
 */
export class ActionError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ActionError';
  }
}

/** A bad input: names the input, the value received and what was expected. */
export class InputError extends ActionError {
  readonly input: string;
  constructor(input: string, expected: string, received?: string) {
    const got = received === undefined ? '' : ` (got ${JSON.stringify(received)})`;
    super(`Input '${input}': expected ${expected}${got}.`);
    this.name = 'InputError';
    this.input = input;
  }
}

/** Turns anything thrown into the one line a user reads. */
export function errorLine(error: unknown): string {
  if (error instanceof ActionError) return error.message;
  if (error instanceof Error) {
    const status = (error as { status?: unknown }).status;
    const prefix = typeof status === 'number' ? `HTTP ${status}: ` : '';
    return `${prefix}${error.message}`.split('\n')[0] ?? 'Unknown error';
  }
  return String(error);
}
