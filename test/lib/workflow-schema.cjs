// @actions/workflow-parser imports its schema as `import WorkflowSchema from "../workflow-v1.0.min.json"`,
// with no import attribute; Jest's ESM loader prints a deprecation warning for that in every test
// file that loads the parser. jest.config.js maps that one import here: the same JSON, read from the
// installed package, as a CommonJS module (no JSON import at all). Node itself is not affected.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

module.exports = JSON.parse(
  readFileSync(
    join(__dirname, '..', '..', 'node_modules', '@actions', 'workflow-parser', 'dist', 'workflow-v1.0.min.json'),
    'utf8',
  ),
);
