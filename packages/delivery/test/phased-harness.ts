/**
 * The harness of the phased release's state machine tests (phased-machine, phased-gate): the real rollout code,
 * records and judge against the GitHub emulator in-process with a virtual clock, a fleet port
 * that remembers which targets are in the load balancer, a deployer port that remembers which
 * version each target runs (and can fail), and a metrics port answering per version.
 * test/phased/ runs the same over a real HAProxy and six instances of the sample service.
 */
import { beforeEach } from '@jest/globals';
import type { GitHub, ReleaseRecords } from '@rollgate/github';
import { silentLogger } from '@rollgate/kit';
import type { MetricsSource, Reading } from '@rollgate/metrics';
import type { Fleet } from '@rollgate/traffic';
import { VirtualClock, createRemote, seedRepository, type GitHubEmulator } from '@rollgate/testbed';
import { inProcessGitHub } from '@rollgate/testbed/in-process';
import { parseChecks } from '@rollgate/analysis';
import { parseTargets, planBatches, type PhasedConfig, type PhasedInflight, type Target } from '../src/index.js';

const remote = createRemote();
seedRepository(remote);

export let emulator: GitHubEmulator;
export let gh: GitHub;
export let records: ReleaseRecords;
export let clock: VirtualClock;
/** Which version each target runs, and which are out of the load balancer. */
export let running: Record<string, string>;
export let out: Set<string>;
/** Targets whose process died: they refuse connections. */
export let down: Set<string>;
export const events: string[] = [];
/** What a test turns: which deploys fail, and the error rate each version shows (undefined: no data). */
export const knobs: {
  failDeploy: (target: Target, version: string) => boolean;
  errorRate: (version: string) => number | undefined;
  /** Runs after each deploy (a fault the test injects: an instance dies, the load balancer restarts). */
  afterDeploy: (target: Target, version: string) => void;
} = { failDeploy: () => false, errorRate: () => 0.001, afterDeploy: () => undefined };

export const targets = parseTargets(
  Array.from({ length: 6 }, (_, i) => `web-${i + 1}=10.0.0.${i + 11}:8080`).join('\n'),
);
export const artifact = (v: string) => ({ name: `app-${v}`, digest: `sha256:${v.replace(/\D/g, '').padEnd(64, '0')}` });

export const fleet: Fleet = {
  name: 'memory',
  async check(ts) {
    for (const t of ts) if (!(t.name in running)) throw new Error(`no server ${t.name}`);
  },
  async drain(ts) {
    for (const t of ts) out.add(t.name);
    events.push(`drain ${ts.map((t) => t.name).join(',')}`);
  },
  async ready(ts) {
    for (const t of ts) out.delete(t.name);
    events.push(`ready ${ts.map((t) => t.name).join(',')}`);
  },
  async inspect(ts) {
    return ts.map((t) => ({
      name: t.name,
      inRotation: !out.has(t.name) && t.name in running,
      drainedEverywhere: out.has(t.name),
      detail: out.has(t.name) ? 'drained' : 'in rotation',
    }));
  },
  async enforce(drained, ready) {
    const said: string[] = [];
    for (const t of drained.filter((d) => !out.has(d.name))) {
      out.add(t.name);
      said.push(`${t.name} drained again`);
    }
    for (const t of ready.filter((r) => out.has(r.name))) {
      out.delete(t.name);
      said.push(`${t.name} ready again`);
    }
    return said;
  },
};
export const source: MetricsSource = {
  name: 'prometheus',
  async read(query: string): Promise<Reading> {
    const version = /version="([^"]+)"/.exec(query)?.[1] ?? '';
    const value = knobs.errorRate(version);
    return value === undefined ? { kind: 'no-data', detail: 'NaN' } : { kind: 'value', value };
  },
};

beforeEach(() => {
  ({ emulator, gh, records } = inProcessGitHub(remote));
  clock = new VirtualClock();
  running = Object.fromEntries(targets.map((t) => [t.name, '1.0.0']));
  out = new Set();
  down = new Set();
  events.length = 0;
  knobs.failDeploy = () => false;
  knobs.errorRate = () => 0.001;
  knobs.afterDeploy = () => undefined;
});

export function config(over: Partial<PhasedConfig> = {}): PhasedConfig {
  return {
    version: '2.0.0',
    ref: 'main',
    batches: planBatches('1,50%,100%', targets, '50%'),
    intervalMs: 60_000,
    samplesPerStep: 3,
    failureLimit: 0,
    inconclusiveLimit: 1,
    checks: parseChecks(`- name: error-rate\n  query: 'rate(errors{version="{{version}}"}[{{window}}])'\n  max: 0.01`),
    sources: { prometheus: source },
    artifact: artifact('2.0.0'),
    fleet,
    deployer: {
      async deploy(t, release) {
        events.push(`deploy ${t.name} ${release.version}`);
        if (knobs.failDeploy(t, release.version)) throw new Error(`exit 1 on ${t.name}`);
        running[t.name] = release.version;
        // A deploy starts the target's process again.
        down.delete(t.name);
        knobs.afterDeploy(t, release.version);
      },
    },
    // A target answers with the version it runs (the service contract: x-version), unless it is down.
    probe: async (t) => (down.has(t.name) ? { why: `${t.name} refused` } : { version: running[t.name] as string }),
    records,
    payload: { commit: 'abc' },
    logger: silentLogger,
    inflight: (s) => void inflights.push(s),
    clock,
    ...over,
  };
}
export const inflights: (PhasedInflight | undefined)[] = [];
beforeEach(() => {
  inflights.length = 0;
});

export async function live(version: string): Promise<number> {
  const id = await records.create(
    'main',
    { version, kind: 'phased', artifact: artifact(version) },
    `release ${version}`,
    await records.state(),
  );
  await records.status(id, 'success', `released: ${version}`);
  return id;
}
export const statuses = (id: number) =>
  emulator.state.statuses.filter((s) => s.deploymentId === id).map((s) => `${s.state}: ${s.description}`);
export const versions = () => targets.map((t) => running[t.name]);
