// The schema of action.yml files, for Jest (see parser-json.cjs).
module.exports = require('./parser-json.cjs')('action-v1.0.min.json');
