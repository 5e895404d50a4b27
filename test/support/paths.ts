import { existsSync, readdirSync, statSync } from 'node:fs';
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

/** Every `.txt` file under `dir`, recursively, in name order (golden files, seed examples). */
export function textFilesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) textFilesUnder(p, out);
    else if (name.endsWith('.txt')) out.push(p);
  }
  return out;
}
