import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The repository root, found from the compiled file's place (dist/test/...) or the source's. */
function findRoot(start: string): string {
  let dir = start;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) return process.cwd();
    dir = up;
  }
  return dir;
}

export const REPO_ROOT = findRoot(__dirname);
export const FIXTURES_DIR = join(REPO_ROOT, 'test', 'fixtures');
export const SEED_DIR = join(REPO_ROOT, 'seed');
