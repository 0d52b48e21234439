// The schema of workflow files, for Jest (see parser-json.cjs).
module.exports = require('./parser-json.cjs')('workflow-v1.0.min.json');
