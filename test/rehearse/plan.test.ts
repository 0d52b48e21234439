import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '@rollgate/testbed';
import { PlanError, parsePlan, readEnvFile } from '../../rehearse/plan.js';
import { checkPlaceholders, expand } from '../../rehearse/placeholders.js';

const plan = (text: string, files: Record<string, string> = {}) =>
  parsePlan(text, '/repo/rehearsal.yml', (p) => {
    if (!(p in files)) throw new Error('ENOENT');
    return files[p] as string;
  });
const refusal = (text: string, files?: Record<string, string>) => {
  try {
    checkPlaceholders(plan(text, files));
  } catch (e) {
    expect(e).toBeInstanceOf(PlanError);
    return (e as Error).message;
  }
  throw new Error('the plan was accepted');
};

describe('a rehearsal plan', () => {
  it('reads the examples the suite ships', () => {
    for (const example of ['consumer', 'python-consumer']) {
      const file = join(REPO_ROOT, 'examples', example, 'rehearsal.yml');
      const p = parsePlan(readFileSync(file, 'utf8'), file);
      checkPlaceholders(p);
      expect(p.steps.filter((s) => s.kind !== 'commit').map((s) => s.kind)).toContain('dispatch');
    }
  });

  it('takes vars from a NAME=value file, the plan winning, and defaults what it does not say', () => {
    const p = plan('vars-file: vars.env\nvars: { B: "2" }\nsteps:\n  - push: deliver.yml\n', {
      '/repo/vars.env': '# settings\nA=1\nB=1\nMULTI="x\\ny"\n',
    });
    expect(p.vars).toEqual({ A: '1', B: '2', MULTI: 'x\ny' });
    expect(p).toMatchObject({ visibility: 'private', serve: 'none', addresses: 0, load: 0 });
    expect(p.steps[0]).toEqual({
      kind: 'push',
      name: 'push deliver.yml',
      workflow: 'deliver.yml',
      inputs: {},
      vars: {},
      expect: 'success',
    });
  });

  it('refuses what it cannot use with one line naming the key and what was expected', () => {
    expect(refusal('steps: []\n')).toBe('steps: expected a list of at least one step');
    expect(refusal('stepz: []\n')).toMatch(/^stepz: not a key of a plan \(visibility, serve/);
    expect(refusal('serve: apache\nsteps:\n  - push: d.yml\n')).toBe(
      'serve: expected one of none, nginx, router, auto, got "apache"',
    );
    expect(refusal('steps:\n  - push: d.yml\n    inputs: { a: 1 }\n')).toBe('steps[0].inputs: a push has no inputs');
    expect(refusal('steps:\n  - push: d.yml\n    dispatch: e.yml\n')).toBe(
      'steps[0]: expected exactly one of commit, push, dispatch',
    );
    expect(refusal('steps:\n  - dispatch: ../../etc/passwd\n')).toMatch(
      /^steps\[0\]\.dispatch: expected a workflow file name/,
    );
    expect(refusal('steps:\n  - dispatch: d.yml\n    review: maybe\n')).toMatch(
      /^steps\[0\]\.review: expected one of approved, rejected/,
    );
    expect(refusal('steps:\n  - dispatch: d.yml\n    expect: green\n')).toMatch(
      /^steps\[0\]\.expect: expected one of success, failure/,
    );
    expect(refusal('steps:\n  - dispatch: d.yml\n    inputs: { a: [1] }\n')).toBe(
      'steps[0].inputs.a: expected a string, got [1]',
    );
    expect(refusal('vars-file: nope.env\nsteps:\n  - push: d.yml\n')).toBe('vars-file: cannot read /repo/nope.env');
    expect(refusal('vars-file: v.env\nsteps:\n  - push: d.yml\n', { '/repo/v.env': 'not a pair\n' })).toBe(
      'v.env:1: expected NAME=value, got "not a pair"',
    );
    expect(refusal('environments: { production: { reviewers: alice } }\nsteps:\n  - push: d.yml\n')).toBe(
      'environments.production.reviewers: expected a list of user logins',
    );
    expect(refusal('addresses: 1\nvars: { A: "{{address.2}}" }\nsteps:\n  - push: d.yml\n')).toBe(
      'vars.A: {{address.2}} but the plan has addresses: 1',
    );
    expect(refusal('steps:\n  - push: d.yml\n    vars: { A: "{{serve.address}}" }\n')).toBe(
      'steps[0].A: {{serve.address}} but the plan serves nothing (serve: none)',
    );
    expect(refusal('addresses: 100\nsteps:\n  - push: d.yml\n')).toBe(
      'addresses: expected a whole number from 0 to 64, got 100',
    );
  });

  it("fills the rehearsal's placeholders and leaves the suite's own templates alone", () => {
    const values = {
      addresses: ['127.0.0.1:1', '127.0.0.1:2'],
      pids: '/p',
      scratch: '/s',
      suite: '/suite',
      serveAddress: '127.0.0.1:9',
    };
    expect(
      expand('{{address.2}} {{ pids }} {{scratch}} {{suite}}/x {{serve.address}} {{version}} {{interval}}', values),
    ).toBe('127.0.0.1:2 /p /s /suite/x 127.0.0.1:9 {{version}} {{interval}}');
  });

  it('reads NAME=value files as gh variable set -f writes them', () => {
    expect(readEnvFile('A=1\n\n# c\nB=a=b\n', 'f')).toEqual({ A: '1', B: 'a=b' });
  });
});
