/**
 * The environment chain's promotion rules over records the suite wrote (seeded through its own
 * writer, traced to their runs): each rule refuses, naming itself and the record, and a release
 * that soaked long enough in the previous environment is admitted with its artifact.
 */
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { ArtifactRef, ReleaseRecords } from '@rollgate/github';
import { VirtualClock, createRemote, linearHistory, seedRepository, type GitHubEmulator } from '@rollgate/testbed';
import { inProcessGitHub, seedHistory, type HistoryEntry } from '@rollgate/testbed/in-process';
import { admit, PromotionRefused } from '../src/index.js';

const remote = createRemote();
seedRepository(remote);
let shas: string[];
beforeAll(() => {
  shas = linearHistory(remote, 4, (i) => `v1.${i}.0`);
});

let emulator: GitHubEmulator;
let staging: ReleaseRecords;
let clock: VirtualClock;
const MINUTE = 60_000;
const digest = (i: number) => `sha256:${String(i).repeat(64).slice(0, 64)}`;
const artifact = (i: number): ArtifactRef => ({ name: `app-1.${i}.0`, digest: digest(i), release_tag: `v1.${i}.0` });
const entry = (i: number, outcome: HistoryEntry['outcome'], kind: HistoryEntry['kind'] = 'canary'): HistoryEntry => ({
  kind,
  version: `1.${i}.0`,
  outcome,
  sha: shas[i] as string,
  artifact: artifact(i),
});

beforeEach(() => {
  clock = new VirtualClock();
  ({ emulator, records: staging } = inProcessGitHub(remote, {
    provenance: true,
    clock: () => clock.now(),
    environment: 'staging',
  }));
});

let firstRun = 900_000;
/** Each call's runs are new ones (run ids never repeat). */
const seed = (entries: HistoryEntry[]) => {
  const seeded = seedHistory(emulator, 'staging', entries, clock, { firstRun });
  firstRun += 100;
  return seeded;
};
const soak30 = (version?: string, extra: { digest?: string } = {}) =>
  admit({ from: staging, ...(version ? { version } : {}), soakMs: 30 * MINUTE, now: () => clock.now(), ...extra });

describe('admit: a release enters the next environment only from the previous one', () => {
  it('admits the release live in staging past its soak, with the artifact recorded there', async () => {
    const seeded = await seed([entry(0, 'live'), entry(1, 'live')]);
    clock.advance(40 * MINUTE);
    const a = await soak30('1.1.0');
    expect(a.record.id).toBe(seeded.live);
    expect(a.artifact).toMatchObject({ digest: digest(1), release_tag: 'v1.1.0' });
    expect(a.line).toMatch(
      new RegExp(
        `^1\\.1\\.0 is live in staging \\(deployment ${seeded.live}\\) since .*Z, 4[45]m \\d+s ≥ soak 30m, artifact ${digest(1)}\\.$`,
      ),
    );
    // "What is live in staging" is the same release.
    expect((await soak30()).record.id).toBe(seeded.live);
  });

  it('refuses a release that soaked too briefly, saying when it may go', async () => {
    const seeded = await seed([entry(0, 'live'), entry(1, 'live')]);
    await expect(soak30('1.1.0')).rejects.toThrow(
      new RegExp(
        `^Promotion refused \\(rule: soak 30m\\): 1\\.1\\.0 has been live in staging for 4m 0s \\(deployment ${seeded.live}, since .*\\); it may be promoted from .*Z\\.$`,
      ),
    );
    clock.advance(26 * MINUTE);
    await expect(soak30('1.1.0')).resolves.toMatchObject({ record: { id: seeded.live } });
  });

  it('refuses a release caught by the canary in staging (never live there)', async () => {
    const seeded = await seed([entry(0, 'live'), entry(1, 'live'), entry(2, 'failed')]);
    clock.advance(60 * MINUTE);
    const refused = soak30('1.2.0');
    await expect(refused).rejects.toThrow(PromotionRefused);
    await expect(refused).rejects.toThrow(
      `Promotion refused (rule: live in staging first): 1.2.0 is not live in staging: its newest record there (deployment ${seeded.ids[2]}) is failure, and 1.1.0 is live (deployment ${seeded.live}).`,
    );
  });

  it('refuses a release rolled back in staging, even one that was live there', async () => {
    // The rollback redeploys 1.0.0's artifact, built by the first run of this history.
    const back = { ...entry(0, 'live', 'rollback'), artifact: { ...artifact(0), run_id: String(firstRun + 1) } };
    const seeded = await seed([entry(0, 'live'), entry(1, 'live'), back]);
    clock.advance(60 * MINUTE);
    await expect(soak30('1.1.0')).rejects.toThrow(
      `Promotion refused (rule: live in staging first): 1.1.0 is not live in staging: it was rolled back there: deployment ${seeded.live} put 1.0.0 back in place of deployment ${seeded.ids[1]}.`,
    );
  });

  it('refuses a version staging never saw, and an empty staging', async () => {
    await expect(soak30('1.0.0')).rejects.toThrow(
      'Promotion refused (rule: live in staging first): no trusted record in staging is live, so 1.0.0 cannot be promoted from it.',
    );
    const seeded = await seed([entry(0, 'live')]);
    clock.advance(60 * MINUTE);
    await expect(soak30('1.3.0')).rejects.toThrow(
      `Promotion refused (rule: live in staging first): 1.3.0 is not live in staging: 1.0.0 is live there (deployment ${seeded.live}); 1.3.0 is not (never released there, or replaced since).`,
    );
  });

  it('refuses another artifact than the one staging runs, and a record that names none', async () => {
    const seeded = await seed([entry(0, 'live'), { ...entry(1, 'live'), artifact: undefined }]);
    clock.advance(60 * MINUTE);
    await expect(soak30('1.1.0')).rejects.toThrow(
      `Promotion refused (rule: same artifact): deployment ${seeded.live} of 1.1.0 in staging records no artifact digest, so the artifact it runs cannot be named.`,
    );
    const again = await seed([entry(2, 'live')]);
    clock.advance(60 * MINUTE);
    await expect(soak30('1.2.0', { digest: digest(9) })).rejects.toThrow(
      `Promotion refused (rule: same artifact): 1.2.0 in staging (deployment ${again.live}) runs ${digest(2)}, not ${digest(9)}.`,
    );
    await expect(soak30('1.2.0', { digest: digest(2) })).resolves.toMatchObject({ artifact: { digest: digest(2) } });
  });
});
