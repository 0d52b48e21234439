/**
 * nginx: writes an upstream include with a weight per version, checks the whole config with
 * `nginx -t`, then reloads. 0 % and 100 % leave a server out (nginx rejects weight=0). The
 * include is replaced atomically, and put back as it was when the check fails.
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { ActionError, checkValue, execFile } from '@rollgate/kit';
import type { Route, Split, TrafficProvider } from './provider.js';

export interface NginxOptions {
  /** The include file holding the upstream block. */
  upstreamFile: string;
  upstreamName: string;
  /** nginx test command, argument array (default: nginx -t). */
  testCommand: string[];
  /** nginx reload command, argument array (default: nginx -s reload). */
  reloadCommand: string[];
}

export function renderUpstream(name: string, split: Split): string {
  const lines = [
    '# Written by the rollgate canary action: one server per version, weight = percent of traffic.',
    `upstream ${name} {`,
  ];
  for (const [backend, weight, role] of [
    [split.stable, 100 - split.canaryWeight, 'stable'],
    [split.canary, split.canaryWeight, 'canary'],
  ] as const) {
    if (weight <= 0) continue;
    // Both values go into the config file: checked by the one validator (no newline, `;`, `{`
    // or `#` can pass), whatever they came from (an input, or a payload read back).
    const address = checkValue('address', backend.address, `nginx: the ${role} address`);
    const version = checkValue('version', backend.version, `nginx: the ${role} version`);
    lines.push(`    server ${address} weight=${weight}; # ${role} ${version}`);
  }
  lines.push('}', '');
  return lines.join('\n');
}

export class NginxProvider implements TrafficProvider {
  readonly name = 'nginx';
  readonly addressesReachable = true;
  readonly programs: { input: string; argv: string[] }[];
  constructor(private readonly options: NginxOptions) {
    this.programs = [
      { input: 'nginx-test-command', argv: options.testCommand },
      { input: 'nginx-reload-command', argv: options.reloadCommand },
    ];
  }

  /**
   * The servers of the upstream nginx loaded: the include read back (an nginx that passed its
   * test and reloaded serves what the file holds), its weights as shares of their sum.
   */
  async routes(): Promise<Route[]> {
    const text = await readFile(this.options.upstreamFile, 'utf8');
    const block = new RegExp(`upstream\\s+${this.options.upstreamName.replace(/[^\w-]/g, '')}\\s*\\{([^}]*)\\}`).exec(
      text,
    );
    if (!block)
      throw new ActionError(`nginx: ${this.options.upstreamFile} holds no upstream ${this.options.upstreamName}`);
    // server <address> [weight=N] [other parameters]; a server marked down or backup takes no requests now.
    const servers = [...(block[1] as string).matchAll(/^[ \t]*server[ \t]+([^\s;]+)([^;\n]*);/gm)]
      .filter((m) => !/\b(?:down|backup)\b/.test(m[2] as string))
      .map((m) => ({ address: m[1] as string, weight: Number(/\bweight=(\d+)/.exec(m[2] as string)?.[1] ?? 1) }));
    const total = servers.reduce((sum, s) => sum + s.weight, 0);
    return servers.map((s) => ({ address: s.address, weight: total ? Math.round((s.weight * 100) / total) : 0 }));
  }

  async setSplit(split: Split): Promise<void> {
    const { upstreamFile } = this.options;
    const next = renderUpstream(this.options.upstreamName, split);
    const previous = existsSync(upstreamFile) ? await readFile(upstreamFile, 'utf8') : undefined;
    if (previous === next) return;
    const temp = `${upstreamFile}.rollgate-${process.pid}`;
    await writeFile(temp, next);
    await rename(temp, upstreamFile);
    const [test, ...testArgs] = this.options.testCommand as [string, ...string[]];
    const checked = await execFile(test, testArgs, { echo: false });
    if (checked.exitCode !== 0) {
      if (previous === undefined) await rm(upstreamFile, { force: true });
      else await writeFile(upstreamFile, previous);
      const why =
        (checked.stderr || checked.stdout)
          .trim()
          .split('\n')
          .find((l) => /emerg|error|failed/.test(l)) ?? `exit ${checked.exitCode}`;
      throw new ActionError(`nginx rejected the new upstream (${why}); the previous one was put back.`);
    }
    const [reload, ...reloadArgs] = this.options.reloadCommand as [string, ...string[]];
    const reloaded = await execFile(reload, reloadArgs, { echo: false });
    if (reloaded.exitCode !== 0)
      throw new ActionError(`nginx reload failed: ${(reloaded.stderr || reloaded.stdout).trim().split('\n').at(-1)}`);
  }
}
