/**
 * command: runs the user's program with the split as arguments and env (no shell), and reads
 * the split back with the user's read command (JSON routes on its standard output).
 */
import { ActionError, execFile } from '@rollgate/kit';
import type { Route, Split, TrafficProvider } from './provider.js';
import { parseRoutes } from './read.js';

export class CommandProvider implements TrafficProvider {
  readonly name = 'command';
  readonly readInput = 'traffic-read-command';
  readonly programs: { input: string; argv: string[] }[];
  constructor(
    private readonly argv: string[],
    private readonly readArgv: string[],
  ) {
    this.programs = [
      { input: 'traffic-command', argv },
      { input: 'traffic-read-command', argv: readArgv },
    ];
  }

  async routes(): Promise<Route[]> {
    const [program, ...args] = this.readArgv as [string, ...string[]];
    const r = await execFile(program, args);
    const source = `traffic-read-command '${this.readArgv.join(' ')}'`;
    if (r.exitCode !== 0)
      throw new ActionError(
        `${source} exited with code ${r.exitCode}: ${(r.stderr || r.stdout).trim().split('\n').at(-1) ?? ''}`,
      );
    return parseRoutes(r.stdout, source);
  }

  async setSplit(split: Split): Promise<void> {
    const [program, ...args] = this.argv as [string, ...string[]];
    const r = await execFile(
      program,
      [...args, String(split.canaryWeight), split.canary.version, split.stable.version],
      {
        env: {
          ROLLGATE_CANARY_WEIGHT: String(split.canaryWeight),
          ROLLGATE_STABLE_WEIGHT: String(100 - split.canaryWeight),
          ROLLGATE_CANARY_VERSION: split.canary.version,
          ROLLGATE_STABLE_VERSION: split.stable.version,
          ROLLGATE_CANARY_ADDRESS: split.canary.address ?? '',
          ROLLGATE_STABLE_ADDRESS: split.stable.address ?? '',
        },
      },
    );
    if (r.exitCode !== 0) {
      throw new ActionError(
        `traffic command '${this.argv.join(' ')}' exited with code ${r.exitCode} setting ${split.canaryWeight}%: ${(r.stderr || r.stdout).trim().split('\n').at(-1) ?? ''}`,
      );
    }
  }
}
