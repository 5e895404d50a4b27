#!/usr/bin/env node
// The `crashkb` command: see `crashkb --help`. The code is compiled from src/cli (npm ci builds it).
const { run } = require('../dist/src/cli/main.js');
run(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
