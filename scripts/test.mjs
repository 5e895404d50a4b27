// The one test command (README, .ci/run): compile everything with tsc, then run every
// compiled *.test.js under dist/test with Node's test runner, one file at a time
// (PGlite is CPU-bound; two files at once on two cores is slower, see EMBEDDED-DB.md).
// Extra arguments are passed to `node --test` (e.g. `npm test -- --test-name-pattern=kasan`);
// CRASHKB_TEST_FILTER=substring runs only the test files whose path contains it.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();
const build = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], {
  stdio: 'inherit',
});
if (build.status !== 0) {
  console.error('npm test: the TypeScript build failed (errors above); no test was run');
  process.exit(build.status ?? 1);
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.js')) out.push(p);
  }
  return out;
}
const filter = process.env.CRASHKB_TEST_FILTER;
const files = walk(join(root, 'dist/test')).filter((f) => !filter || relative(root, f).includes(filter));
if (files.length === 0) {
  console.error('no test files found under dist/test');
  process.exit(1);
}
const r = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=1', '--test-reporter=spec', ...process.argv.slice(2), ...files],
  { stdio: 'inherit', env: { ...process.env, NODE_ENV: 'test' } },
);
process.exit(r.status ?? 1);
