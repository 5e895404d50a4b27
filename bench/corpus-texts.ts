// The report texts of the shared dev corpora (../shared/corpora), read where they are and never
// copied into the project, for the benches that time the parser on them.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const SYZKALLER_CORPUS = 'syzkaller-linux-dev.json';
export const CLUSTERFUZZ_CORPUS = 'clusterfuzz-dev.json';

/** The console logs of syzkaller's dev half. */
export function syzkallerTexts(corporaDir: string): string[] {
  const corpus = JSON.parse(readFileSync(join(corporaDir, SYZKALLER_CORPUS), 'utf8')) as {
    reports: { text: string }[];
  };
  return corpus.reports.map((r) => r.text);
}

/** The cases of ClusterFuzz's dev half. */
export function clusterfuzzTexts(corporaDir: string): string[] {
  const corpus = JSON.parse(readFileSync(join(corporaDir, CLUSTERFUZZ_CORPUS), 'utf8')) as {
    cases: { text: string }[];
  };
  return corpus.cases.map((c) => c.text);
}

/** Each corpus present in `corporaDir`, named as the bench tables name it. */
export function sharedCorpusTexts(corporaDir: string): [string, string[]][] {
  const sets: [string, string[]][] = [];
  if (existsSync(join(corporaDir, SYZKALLER_CORPUS)))
    sets.push(['syzkaller console logs (dev half)', syzkallerTexts(corporaDir)]);
  if (existsSync(join(corporaDir, CLUSTERFUZZ_CORPUS)))
    sets.push(['ClusterFuzz cases (dev half)', clusterfuzzTexts(corporaDir)]);
  return sets;
}
