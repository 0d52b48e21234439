// The suite's own workflow rules, beyond actionlint:
// - a top-level `permissions:` block;
// - no `${{ }}` inside `run:` scripts (pass values through `env:`);
// - third-party `uses:` pinned to a full 40-hex commit SHA.
import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair } from 'yaml';

const SHA = /^[^@]+@[0-9a-f]{40}$/;
/** The suite's own actions and reusable workflow follow its floating tags (v1): first party, not pinned. */
const FIRST_PARTY = /^rollgate\/rollgate\//;

export function checkWorkflow(text) {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, keepSourceTokens: true });
  const findings = [];
  const at = (node) => (node?.range ? counter.linePos(node.range[0]).line : 1);
  if (!isMap(doc.contents)) return [{ line: 1, message: 'not a workflow: expected a mapping at the top' }];
  if (!doc.contents.has('permissions')) {
    findings.push({ line: 1, message: 'no top-level permissions: block (start from `permissions: {}` and grant per job)' });
  }
  const visit = (node) => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (!isPair(pair) || !isScalar(pair.key)) continue;
        const key = String(pair.key.value);
        if (key === 'run' && isScalar(pair.value) && /\$\{\{/.test(String(pair.value.value))) {
          findings.push({ line: at(pair.value), message: 'expression ${{ }} inside a run: script; pass it through env: and use "$VAR"' });
        }
        if (key === 'uses' && isScalar(pair.value)) {
          const uses = String(pair.value.value);
          if (!uses.startsWith('./') && !uses.startsWith('docker://') && !FIRST_PARTY.test(uses) && !SHA.test(uses)) {
            findings.push({ line: at(pair.value), message: `'${uses}' is not pinned to a full commit SHA` });
          }
        }
        visit(pair.value);
      }
    } else if (isSeq(node)) {
      for (const item of node.items) visit(item);
    }
  };
  visit(doc.contents);
  return findings;
}
