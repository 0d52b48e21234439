/**
 * Reads an action.yml with GitHub's own parser (@actions/workflow-parser), so a
 * manifest the runner would reject fails here too.
 */
import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { NoOperationTraceWriter, isString } from '@actions/workflow-parser';
import { convertActionTemplate, parseAction, type ActionTemplate } from '@actions/workflow-parser/actions/index';

export interface ActionManifest {
  name: string;
  dir: string;
  template: ActionTemplate;
  errors: string[];
}

export const ROOT = join(import.meta.dirname, '..', '..');

export function loadManifest(dir: string): ActionManifest {
  const file = join(dir, 'action.yml');
  const content = readFileSync(file, 'utf8');
  const result = parseAction({ name: file, content }, new NoOperationTraceWriter());
  const template = result.value ? convertActionTemplate(result.context, result.value) : ({} as ActionTemplate);
  const errors = result.context.errors.getErrors().map((e) => e.message);
  return { name: basename(dir), dir, template, errors };
}

/** The default of an input as written in action.yml: a literal, or the `${{ }}` expression text. */
export function defaultText(template: ActionTemplate, input: string): string | undefined {
  const def = template.inputs?.find((i) => i.id === input)?.default;
  if (!def) return undefined;
  return isString(def) ? def.value : def.toDisplayString();
}
