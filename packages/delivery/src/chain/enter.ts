/**
 * A rollout that enters an environment of a chain: the inputs that name the environment it
 * comes from (`from-environment`, `soak`, `version: live`), and the admission that gives the
 * rollout its version and artifact from that environment's live record, before anything is
 * written or moved. A later environment never gets a rebuild: it deploys the artifact the
 * previous one runs (same digest, fetched from the release asset the record names).
 */
import { InputError, type Inputs } from '@rollgate/kit';
import type { ArtifactRef, ReleaseRecords } from '@rollgate/github';
import { admit } from './admit.js';
import { readSoakChecks, runSoakChecks, type SoakChecks } from './soak-checks.js';

/** `version: live` with from-environment: the release live in the previous environment. */
export const LIVE = 'live';

export interface ChainSettings {
  /** The environment a release must be live in before it enters this one. */
  fromEnvironment: string;
  soakMs: number;
  /** Checks of the previous environment over the soak window (soak-metrics), if any. */
  soakChecks?: SoakChecks;
}

/** What the admission gives the rollout. */
export interface Entry {
  version: string;
  /** The release's commit (the previous environment's record's): the new record is made at it, as its artifact was built from it. */
  commit: string;
  artifact: ArtifactRef;
  promotedFrom: { environment: string; deployment_id: number };
  /** Why it was admitted, for the log and the summary. */
  line: string;
  /** The previous environment's records (the summary reads them again after the rollout). */
  from: ReleaseRecords;
}

/** from-environment and soak, checked with the version before anything is read; undefined outside a chain. */
export function readChainInputs(inputs: Inputs, environment: string, version: string): ChainSettings | undefined {
  const fromEnvironment = inputs.string('from-environment', {
    pattern: { regex: /^[^\s,'"`]{1,255}$/, description: 'a GitHub environment name' },
  });
  if (!fromEnvironment) {
    if (version === LIVE)
      throw new InputError(
        'version',
        `a version (live is the release live in from-environment, which is empty)`,
        version,
      );
    return undefined;
  }
  if (fromEnvironment.toLowerCase() === environment.toLowerCase())
    throw new InputError(
      'from-environment',
      `an environment other than ${environment} (the one released to)`,
      fromEnvironment,
    );
  const soakMs = inputs.duration('soak', '30m', { allowZero: true });
  if (soakMs > 90 * 86_400_000)
    throw new InputError('soak', 'a duration from 0 to 2160h (90 days)', inputs.string('soak'));
  const soakChecks = readSoakChecks(inputs, soakMs);
  return { fromEnvironment, soakMs, ...(soakChecks ? { soakChecks } : {}) };
}

/**
 * Admits the release into the next environment (chain/admit.ts: live in the previous one, same
 * artifact, soaked) and names what the rollout deploys. `digest` is the artifact this run was
 * given, if any: it must be the one the previous environment runs.
 */
export async function enterFrom(options: {
  chain: ChainSettings;
  from: ReleaseRecords;
  version: string;
  digest?: string;
  now?: () => number;
}): Promise<Entry> {
  const admission = await admit({
    from: options.from,
    ...(options.version === LIVE ? {} : { version: options.version }),
    ...(options.digest ? { digest: options.digest } : {}),
    soakMs: options.chain.soakMs,
    now: options.now ?? Date.now,
  });
  const version = admission.record.payload.version;
  const checked = options.chain.soakChecks
    ? await runSoakChecks(options.chain.soakChecks, {
        version,
        environment: options.from.environment,
        soakMs: options.chain.soakMs,
      })
    : [];
  return {
    version,
    commit: admission.record.sha,
    artifact: admission.artifact,
    promotedFrom: { environment: options.from.environment, deployment_id: admission.record.id },
    line: `Promotion admitted: ${admission.line}${checked.length ? ` Soak checks: ${checked.join('; ')}.` : ''}`,
    from: options.from,
  };
}

/** The entry of a rollout into its chain, read from the previous environment's records and logged; undefined outside a chain. */
export async function enterChain(
  chain: ChainSettings | undefined,
  options: {
    version: string;
    digest?: string;
    records: (environment: string) => Promise<ReleaseRecords>;
    log: (line: string) => void;
  },
): Promise<Entry | undefined> {
  if (!chain) return undefined;
  const entry = await enterFrom({
    chain,
    from: await options.records(chain.fromEnvironment),
    version: options.version,
    ...(options.digest ? { digest: options.digest } : {}),
  });
  options.log(entry.line);
  return entry;
}
