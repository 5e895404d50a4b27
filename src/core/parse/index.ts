// The parser entry point: any text in, one ParsedDump out. Never throws; linear in the input.
import type { ParsedDump, ParsedReport } from '../types';
import { computeFingerprint } from '../fingerprint';
import type { ReportCandidate } from './candidate';
import { bootOf, markSecondaries, type ChainInput } from './chain';
import { scanCrashSessions } from './crash-utility';
import { MAX_LINE_CHARS, prepareLines, type PreparedLines } from './envelope';
import { scanPoison } from './indicators';
import { applyKernelTitles, scanKernelReports, type KernelCandidate } from './kernel';
import { titleKernelReports } from './kernel-title';
import { emptyReport } from './empty';
import { runtimeReport, scanUserspaceReports } from './userspace/index';

export { prepareLines, stripEnvelope } from './envelope';
export { normaliseKernelFunction, parseKernelFrame } from './frames';
export { matchPoisonWord, classifyFaultAddress, scanPoison } from './indicators';

export { emptyReport };

export function parseDump(text: string): ParsedDump {
  try {
    return parseDumpUnsafe(typeof text === 'string' ? text : String(text ?? ''));
  } catch (err) {
    // A parser bug must not become a 500: degrade to "nothing recognised" and say so.
    const msg = err instanceof Error ? err.message : String(err);
    return { ...emptyReport('unknown', [`parser error: ${msg.slice(0, 200)}`]), reports: [] };
  }
}

function parseDumpUnsafe(text: string): ParsedDump {
  const lines = prepareLines(text);
  const kernel = scanKernelReports(lines);
  const titles = titleKernelReports(lines);
  const crash = scanCrashSessions(lines);
  let user: ReportCandidate[] = [];
  try {
    user = scanUserspaceReports(lines.texts);
  } catch {
    user = [];
  }
  // Nothing else claimed the input: a runtime's own fatal report (Go/Rust panic, V8 fatal error,
  // CHECK failure, Android abort, Java/Python exception) stated by ClusterFuzz's rules.
  const kernelTitled = titles.some((t) => t.formatMatched && !t.sharedWithUserspace);
  if (kernel.length === 0 && crash.length === 0 && user.length === 0 && !kernelTitled) {
    try {
      const r = runtimeReport(lines.texts);
      if (r) user = [r];
    } catch {
      user = [];
    }
  }
  const firstTitled = applyKernelTitles(lines, kernel, titles, user.length > 0);
  const items: (ChainInput & { endLine: number })[] = [];
  for (const k of kernel) items.push(chainItem(k, true, k.meta.oopsNo, k.meta.setsTaint));
  for (const c of crash) items.push(chainItem(c, false, null, ''));
  for (const u of user) items.push(chainItem(u, false, null, ''));
  items.sort((a, b) => a.startLine - b.startLine);
  const crashItems = items.filter((it) => it.report.format === 'crash-utility');
  markSecondaries(items, bootOf(lines));
  // Kernel reports printed inside a crash session (`crash> log`) are the session's own crash.
  for (let i = 0; i < items.length; i++) {
    const it = items[i];
    if (it.report.format !== 'linux-kernel') continue;
    const host = crashItems.find((c) => c.startLine <= it.startLine && it.startLine < c.endLine);
    if (host && it.report.secondaryOf === null) {
      it.report.secondaryOf = items.indexOf(host);
      it.report.notes.push('printed inside the crash session (log output)');
    }
  }
  const reports = items.map((it) => it.report);
  for (const r of reports) r.fingerprint = computeFingerprint(r);
  const notes: string[] = [];
  if (lines.truncatedLines > 0)
    notes.push(`${lines.truncatedLines} line(s) longer than ${MAX_LINE_CHARS} characters were cut`);
  if (reports.length === 0) {
    const top = emptyReport('unknown', notes);
    top.indicators.poisonValues = scanPoison(lines.texts, 0, lines.texts.length);
    return { ...top, reports: [] };
  }
  // The first report syzbot's rules title is the main one; else the first real one.
  // (Not when it is a crash session's `log` output: the session's own report is the main one.)
  let mainIdx = firstTitled ? reports.indexOf(firstTitled.report) : -1;
  if (
    mainIdx >= 0 &&
    crashItems.some((c) => c.startLine <= firstTitled!.startLine && firstTitled!.startLine < c.endLine)
  )
    mainIdx = -1;
  if (mainIdx < 0) mainIdx = reports.findIndex((r) => r.secondaryOf === null && r.kind !== 'unknown');
  if (mainIdx < 0) mainIdx = 0;
  const main = reports[mainIdx];
  if (reports.length > 1) {
    notes.push(
      `${reports.length} reports in the input; the main one is #${mainIdx} (${main.title ?? 'untitled'})`,
    );
  }
  const whole = wholeInputPoison(lines, main);
  return {
    ...main,
    indicators: { ...main.indicators, poisonValues: whole },
    notes: [...main.notes, ...notes],
    reports,
  };
}

function chainItem(
  c: ReportCandidate | KernelCandidate,
  isKernel: boolean,
  oopsNo: number | null,
  setsTaint: string,
) {
  return { report: c.report, startLine: c.startLine, endLine: c.endLine, oopsNo, setsTaint, isKernel };
}

/** Top-level poison values: the main report's first, then anything else in the input. */
function wholeInputPoison(lines: PreparedLines, main: ParsedReport) {
  const all = scanPoison(
    lines.texts,
    0,
    lines.texts.length,
    main.format === 'linux-kernel' || main.format === 'crash-utility' ? 'kernel' : 'userspace',
  );
  const out = main.indicators.poisonValues.slice();
  const seen = new Set(out.map((p) => p.value + '|' + p.where));
  for (const p of all) {
    const key = p.value + '|' + p.where;
    if (!seen.has(key)) {
      seen.add(key);
      out.push(p);
    }
  }
  return out;
}
