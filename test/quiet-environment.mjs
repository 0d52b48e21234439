// Jest's node environment, quiet: what a test writes to stdout (the workflow commands and logs
// of code under test that logs through @actions/core, @actions/artifact's debug lines, the
// commands @actions/exec echoes) is kept and shown only when the test fails. Bundles the tests
// run as the runner does are child processes: the test bed captures their output already.
// Jest's own console (console.log in a test) and the reporter are not touched.
import { TestEnvironment } from 'jest-environment-node';

export default class QuietEnvironment extends TestEnvironment {
  captured = [];
  write = undefined;

  async setup() {
    await super.setup();
    const stdout = process.stdout;
    this.write = stdout.write;
    const captured = this.captured;
    stdout.write = function (chunk, encoding, callback) {
      captured.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      if (typeof encoding === 'function') encoding();
      else if (typeof callback === 'function') callback();
      return true;
    };
  }

  async teardown() {
    if (this.write) process.stdout.write = this.write;
    this.captured.length = 0;
    await super.teardown();
  }

  /** @param {{ name: string; test?: { name: string; errors: unknown[] }; hook?: { type: string } }} event */
  async handleTestEvent(event) {
    if (event.name === 'test_done' || event.name === 'hook_failure') {
      const failed = event.name === 'hook_failure' || (event.test?.errors.length ?? 0) > 0;
      if (failed && this.captured.length) {
        const what = event.name === 'hook_failure' ? `the ${event.hook?.type} hook` : `"${event.test?.name}"`;
        process.stderr.write(
          `\n---- output of ${what} (failed) ----\n${this.captured.join('')}---- end of output ----\n`,
        );
      }
      this.captured.length = 0;
    }
  }
}
