// Summarises V8 .cpuprofile files (node --cpu-prof): self time per function and per area
// (a package under node_modules, a directory of src/, node's own internals, GC, idle).
//   node dist/bench/cpuprofile.js PROFILE.cpuprofile [--top 40] [--from-ms A --to-ms B] [--inclusive]
// --from-ms/--to-ms keep only the samples taken that long after the profile began (bench/ingest
// prints the window of its measured run, so start-up and warm-up are left out); with several
// profiles of one process (its worker threads), after the first of them began.
// V8 samples wall time: a thread that waits for the CPU (after waking another thread or a
// PostgreSQL backend, on 2 busy cores) shows that wait as the self time of whatever it was in
// (`writev`, piscina's postTask), and an idle worker thread as piscina's atomicsWaitLoop.
// `perf` (bench/ingest --perf) counts CPU time only.
// Self time is the time the sampled stack had that function on top; idle is the event loop
// waiting. The main thread's profile is the interesting one (worker threads get their own).
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

function area(url: string, fn: string): string {
  if (!url) return fn.startsWith('(') ? fn : '(native)';
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const src = url.indexOf('/dist/');
  if (src >= 0) {
    const parts = url.slice(src + 6).split('/');
    return parts.slice(0, Math.min(parts.length - 1, 3)).join('/');
  }
  return url;
}

function main(): void {
  const files = process.argv
    .slice(2)
    .filter((a, i, all) => !a.startsWith('--') && !all[i - 1]?.startsWith('--'));
  const opt = (name: string, fallback: number) => {
    const i = process.argv.indexOf(name);
    return i > 0 ? Number(process.argv[i + 1]) : fallback;
  };
  const top = opt('--top', 40);
  const fromUs = opt('--from-ms', 0) * 1000;
  const toUs = opt('--to-ms', Infinity) * 1000;
  const profiles = files.map((file) => ({ file, p: JSON.parse(readFileSync(file, 'utf8')) as Profile }));
  // One process's threads share V8's clock: the window counts from the earliest start, so that
  // a worker thread's profile (it starts later) covers the same span as the main thread's.
  const origin = Math.min(...profiles.map(({ p }) => p.startTime));
  for (const { file, p } of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const self = new Map<number, number>();
    let at = p.startTime - origin;
    let total = 0;
    for (let i = 0; i < p.samples.length; i++) {
      const dt = p.timeDeltas[i] ?? 0;
      at += dt;
      if (at < fromUs || at > toUs) continue;
      total += dt / 1000;
      self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
    }
    const perFn = new Map<string, number>();
    const perArea = new Map<string, number>();
    for (const [id, us] of self) {
      const { callFrame: f } = byId.get(id)!;
      const where = f.url ? `${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '';
      const key = `${f.functionName || '(anonymous)'} ${where}`;
      perFn.set(key, (perFn.get(key) ?? 0) + us / 1000);
      const a = area(f.url, f.functionName);
      perArea.set(a, (perArea.get(a) ?? 0) + us / 1000);
    }
    // Inclusive: a sample counts once for every distinct function on its stack.
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const inclusive = new Map<string, number>();
    for (const [id, us] of self) {
      const seen = new Set<string>();
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
        const f = byId.get(cur)!.callFrame;
        if (!f.url) continue;
        const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}`;
        if (seen.has(key)) continue;
        seen.add(key);
        inclusive.set(key, (inclusive.get(key) ?? 0) + us / 1000);
      }
    }
    const idle = perArea.get('(idle)') ?? 0;
    const busy = total - idle;
    console.log(
      `\n${file}: ${total.toFixed(0)} ms profiled, ${busy.toFixed(0)} ms busy (${((busy / total) * 100).toFixed(0)}%)`,
    );
    const print = (title: string, m: Map<string, number>, n: number) => {
      console.log(`\n| ${title} | self ms | % of busy |`);
      console.log('|---|---:|---:|');
      for (const [k, ms] of [...m]
        .filter(([k]) => k !== '(idle)' && !k.startsWith('(idle)'))
        .sort((a, b) => b[1] - a[1])
        .slice(0, n)) {
        console.log(`| ${k} | ${ms.toFixed(0)} | ${((ms / busy) * 100).toFixed(1)} |`);
      }
    };
    print('area', perArea, 30);
    print('function', perFn, top);
    if (process.argv.includes('--inclusive')) print('function (inclusive)', inclusive, top);
  }
}

main();
