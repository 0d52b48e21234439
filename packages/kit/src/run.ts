/** The one place where an action's errors become the step's failure line (`setFailed`). */
import { redact } from './redact.js';
import * as runner from './commands.js';
import { errorLine } from './errors.js';

/**
 * Runs an action's main. `footer`, when it gives a line, ends the job summary and the debug log
 * whether the action succeeded or failed (what the action asked of GitHub's API).
 */
export async function runAction(
  main: () => Promise<void>,
  options: { footer?: () => string | undefined } = {},
): Promise<void> {
  try {
    await main();
  } catch (error) {
    if (error instanceof Error && error.stack) runner.debug(error.stack);
    runner.setFailed(redact(errorLine(error)));
  } finally {
    const line = options.footer?.();
    if (line) {
      runner.debug(line);
      await writeSummary(`\n<sub>${line}</sub>\n`).catch(() => undefined);
    }
  }
}

/** Appends markdown to the job summary (no-op where the runner gave no summary file). */
export async function writeSummary(markdown: string): Promise<void> {
  if (!process.env.GITHUB_STEP_SUMMARY) return;
  const { fitToBytes } = await import('./summary.js');
  await runner.appendSummary(fitToBytes(redact(markdown)));
}

/** Sets every output; objects become JSON, booleans and numbers strings. */
export function setOutputs(outputs: Record<string, string | number | boolean | undefined>): void {
  for (const [name, value] of Object.entries(outputs)) {
    if (value !== undefined) runner.setOutput(name, redact(String(value)));
  }
}
