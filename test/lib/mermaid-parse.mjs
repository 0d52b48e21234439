#!/usr/bin/env node
// Parses Mermaid diagrams with the `mermaid` package's own parser: reads a JSON list of
// diagram texts on stdin, prints a JSON list of { type } or { error } for each. A process of
// its own: Mermaid sanitises labels with DOMPurify, which needs a DOM (jsdom gives it one),
// and jsdom loads ES modules through require(), which Jest's module sandbox cannot do.
import { JSDOM } from 'jsdom';

const { window } = new JSDOM('');
Object.assign(globalThis, { window, document: window.document });
const { default: mermaid } = await import('mermaid');
let input = '';
for await (const chunk of process.stdin) input += chunk;
const out = [];
for (const text of JSON.parse(input)) {
  try {
    const r = await mermaid.parse(text);
    out.push({ type: r.diagramType });
  } catch (error) {
    out.push({ error: String(error.message ?? error).split('\n')[0] });
  }
}
process.stdout.write(JSON.stringify(out));
