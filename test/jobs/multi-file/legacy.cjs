/* global __filename */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS file, on purpose */
// A local CommonJS file of the multi-file job: require() of a built-in and __filename.
const os = require('os');
const path = require('path');

module.exports = { file: path.basename(__filename), eol: os.EOL.length };
