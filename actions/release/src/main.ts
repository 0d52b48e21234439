import * as core from '@actions/core';
import { InputError, Inputs, runAction } from '@rollgate/kit';
import { parseReleaseRules, type ReleaseRules } from '@rollgate/versioning';

export interface ReleaseInputs {
  token: string;
  tagPrefix: string;
  initialVersion: string;
  rules: ReleaseRules;
  majorOnZero: boolean;
  prerelease: string;
  path: string;
  floatingTags: boolean;
  assets: string[];
  dryRun: boolean;
}

const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

export function readInputs(inputs: Inputs): ReleaseInputs {
  const dryRun = inputs.boolean('dry-run');
  const rulesText = inputs.string('release-rules');
  const parsed = parseReleaseRules(rulesText);
  if ('error' in parsed) throw new InputError('release-rules', parsed.error);
  return {
    dryRun,
    token: inputs.string('github-token', { required: !dryRun }),
    tagPrefix: inputs.string('tag-prefix', {
      pattern: { regex: /^[A-Za-z0-9][A-Za-z0-9._/-]*$|^$/, description: 'letters, digits, ".", "_", "/" or "-" (e.g. v or api-v)' },
    }),
    initialVersion: inputs.string('initial-version', {
      default: '0.1.0',
      pattern: { regex: SEMVER, description: 'a version such as 0.1.0 or 1.0.0' },
    }),
    rules: parsed.rules,
    majorOnZero: inputs.boolean('major-on-zero'),
    prerelease: inputs.string('prerelease', {
      pattern: { regex: /^[0-9A-Za-z-]+$/, description: 'a channel name of letters, digits and hyphens (e.g. rc, beta)' },
    }),
    path: inputs.string('path'),
    floatingTags: inputs.boolean('floating-tags'),
    assets: inputs.list('assets', { separator: /\n/ }),
  };
}

await runAction(async () => {
  const inputs = readInputs(new Inputs((name) => core.getInput(name)));
  if (inputs.token) core.setSecret(inputs.token);
  core.info(`Inputs valid: tag prefix '${inputs.tagPrefix}', ${inputs.dryRun ? 'dry run' : 'live run'}.`);
  throw new Error('The release logic is not implemented yet (issue 4); only inputs are validated.');
});
