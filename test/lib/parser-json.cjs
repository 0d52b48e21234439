// @actions/workflow-parser imports its two schemas (workflow-v1.0.min.json, action-v1.0.min.json)
// with no import attribute; Jest's ESM loader prints a deprecation warning for that in every test
// file that loads the parser. jest.config.js maps those two imports to workflow-schema.cjs and
// action-schema.cjs, which read the same JSON from the installed package with this function, as
// CommonJS modules (no JSON import at all). Node itself is not affected.
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

module.exports = (name) =>
  JSON.parse(
    readFileSync(join(__dirname, '..', '..', 'node_modules', '@actions', 'workflow-parser', 'dist', name), 'utf8'),
  );
