// Stack similarity: a position-weighted, semi-global alignment of the signature's frames
// against the dump's crashing stack. Ideas from TraceSim (Vasiliev et al. 2020: frame weight
// decays with depth and with how common the frame is; edit operations cost the weight of the
// frames they touch) and satyr/ABRT (compare normalised function names in order, keep
// unreliable frames but trust them less). Our own choices:
// - reporting frames (dump_stack, kasan_report, exception entry) are dropped first;
// - the signature is a sparse selection of the stack, so extra dump frames cost only when they
//   sit above the last matched signature frame (something else on top = likely another bug),
//   and cost little when they are generic, unreliable or inlined;
// - frames below the dump's end (truncation) count only partly in the denominator.
import type { Frame, ParsedReport } from '../types';
import { canonicalFrame, classifyFrame } from './frames';
import { STACK_WEIGHTS as SW } from './weights';

export interface DumpFrame {
  name: string;
  reliable: boolean;
  inlined: boolean;
  specific: boolean;
  /** Number of specific frames above this one: its depth as far as identification goes. */
  rank: number;
  /** Index in the parser's `frames`, for evidence. */
  index: number;
  /** Above the parser's guilty frame: may match, costs nothing when extra. */
  context: boolean;
}

export interface SignatureStack {
  names: string[];
  weights: Float64Array;
  total: number;
}

export interface StackAlignment {
  /** 0..1. */
  similarity: number;
  /** Matched pairs: signature index, dump frame (index in the parser's frames), name. */
  matched: { sig: number; dump: number; name: string; reliable: boolean }[];
  /** Signature frames not found in order. */
  missing: string[];
  /** Specific dump frames above the last match that the signature does not have. */
  extraAbove: string[];
  /** The dump ended before the signature's remaining frames could appear. */
  truncated: boolean;
}

export function positionWeight(rank: number): number {
  return 1 / Math.pow(1 + rank, SW.positionDecay.value);
}

export function frameWeight(name: string, rank: number): number {
  return positionWeight(rank) * (classifyFrame(name) === 'specific' ? 1 : SW.genericFrameWeight.value);
}

/**
 * The dump side: reporting frames dropped, names canonical, depth-limited. Frames above the
 * parser's guilty frame (when it has one) are context: they may match a signature frame but
 * cost nothing when they don't (lockdep chains, allocator or skb helpers the title skips).
 */
export function prepareDumpStack(
  frames: readonly Frame[],
  guiltyIndex: number | null = null,
  titledName: string | null = null,
): DumpFrame[] {
  // The titled frame goes by the name the title gives it: syzbot names a stall in
  // `smp_call_function_single` `smp_call_function`, and the signature derived from it too.
  const alias = titledName ? canonicalFrame(titledName) : null;
  const out: DumpFrame[] = [];
  const guilty = guiltyIndex != null && guiltyIndex > 0 && guiltyIndex < frames.length ? guiltyIndex : 0;
  const start = Math.max(0, guilty - SW.contextAboveGuilty.value);
  let rank = 0;
  for (let i = start; i < frames.length && out.length < SW.maxDumpFrames.value; i++) {
    const f = frames[i];
    if (!f || typeof f.function !== 'string') continue;
    let name = canonicalFrame(f.function);
    if (i === guiltyIndex && alias && name !== alias && name.startsWith(alias + '_')) name = alias;
    if (name.length === 0) continue;
    const cls = classifyFrame(name);
    // Reporting machinery is dropped, unless the title names it: then the bug is in it
    // (`BUG: using __this_cpu_read() in preemptible code in __bad_area_nosemaphore`).
    if (cls === 'reporting' && !(i === guiltyIndex && alias === name)) continue;
    const specific = cls === 'specific';
    const context = i < guilty;
    out.push({
      name,
      reliable: f.reliable !== false,
      inlined: f.inlined === true,
      specific,
      rank: context ? 0 : rank,
      index: i,
      context,
    });
    if (specific && !context) rank++;
  }
  return out;
}

/**
 * Index in `frames` of the frame the title names: the parser's guilty frame, else the first
 * frame equal to the first state frame, else one it abbreviates (syzbot names a stall
 * `smp_call_function` for a stack in `smp_call_function_single`). Null when none.
 */
export function titledFrameIndex(
  report: Pick<ParsedReport, 'frames' | 'guiltyFrame' | 'state'>,
): number | null {
  const frames = report.frames ?? [];
  if (report.guiltyFrame != null && report.guiltyFrame >= 0 && report.guiltyFrame < frames.length)
    return report.guiltyFrame;
  const head = report.state?.[0] ? canonicalFrame(report.state[0]) : '';
  if (!head) return null;
  // Bounded like the aligned stack: a titled frame deeper than that could not be aligned anyway.
  const n = Math.min(frames.length, SW.maxDumpFrames.value * 2);
  let prefixed = -1;
  for (let i = 0; i < n; i++) {
    const name = canonicalFrame(frames[i].function ?? '');
    if (name === head) return i;
    if (prefixed < 0 && name.startsWith(head + '_')) prefixed = i;
  }
  return prefixed >= 0 ? prefixed : null;
}

/** The function a syzbot-style title names (`... in foo`), unless it names none (`in corrupted`). */
export function titleFunction(title: string | null | undefined): string | null {
  const m = / in ([A-Za-z_.$][\w.$]*)(?: at addr \S+)?$/.exec(title ?? '');
  if (!m || m[1] === 'corrupted') return null;
  return canonicalFrame(m[1]);
}

/**
 * The stack to align for a report. Its frames, unless they are not the stack the title speaks
 * of: no frames printed (or none parsed) while the title names a frame, or a state whose first
 * frame (the titled one) is not on them (a stall whose stalled task was printed elsewhere).
 * Then the state, or the titled function alone, stands for the stack.
 */
export function stateAsFrames(
  report: Pick<ParsedReport, 'frames' | 'state' | 'guiltyFrame' | 'title'>,
): Frame[] {
  const frames = report.frames ?? [];
  const state = (report.state ?? []).filter((s) => s.length > 0);
  if (frames.length > 0 && (state.length === 0 || titledFrameIndex(report) !== null)) return frames;
  if (state.length > 0) return state.map((s) => ({ function: s, reliable: true }));
  if (frames.length > 0) return frames;
  const named = titleFunction(report.title);
  return named ? [{ function: named, reliable: true }] : [];
}

/**
 * `namedGuilty`: the variant used against a dump whose own title names the signature's generic
 * guilty frame, for a matcher of generic frames only: that frame then counts as a specific one
 * (see STACK_WEIGHTS.titleNamedGenericWeight).
 */
export function compileSignatureStack(
  frames: readonly string[],
  guilty: number | null = null,
  namedGuilty = false,
): SignatureStack {
  const names = frames
    .slice(0, SW.maxSignatureFrames.value)
    .map(canonicalFrame)
    .filter((n) => n.length > 0);
  const weights = new Float64Array(names.length);
  let total = 0;
  // Depth counts specific frames only: a generic frame on top (kmem_cache_free) must not push
  // the identifying ones down.
  let rank = 0;
  names.forEach((n, i) => {
    const named = namedGuilty && i === guilty;
    const specific = named || classifyFrame(n) === 'specific';
    // The guilty frame is the one the title names: the title rules chose it over the frames
    // they skip, so even a generic one (consume_skb) says more than a generic caller.
    const generic = i === guilty ? SW.titledGenericWeight.value : SW.genericFrameWeight.value;
    weights[i] = positionWeight(rank) * (named ? SW.titleNamedGenericWeight.value : specific ? 1 : generic);
    if (specific) rank++;
    total += weights[i];
  });
  return { names, weights, total };
}

const scratch = { score: new Float64Array(1024), move: new Uint8Array(1024), insert: new Float64Array(64) };

const MATCH = 1;
const SKIP_SIG = 2;
const SKIP_DUMP = 3;

/** Aligns signature frames (in order) against the dump stack. O(|sig| * |dump|), both bounded. */
export function alignStacks(sig: SignatureStack, dump: readonly DumpFrame[]): StackAlignment {
  const n = sig.names.length;
  const m = dump.length;
  if (n === 0) return { similarity: 0, matched: [], missing: [], extraAbove: [], truncated: false };
  const w = m + 1;
  const cells = (n + 1) * w;
  if (scratch.score.length < cells) {
    scratch.score = new Float64Array(cells * 2);
    scratch.move = new Uint8Array(cells * 2);
  }
  if (scratch.insert.length < m) scratch.insert = new Float64Array(m * 2);
  // Reused between calls (single-threaded, not re-entrant): no allocation per candidate.
  const score = scratch.score;
  const move = scratch.move;
  const insertCost = scratch.insert;
  score[0] = 0;
  move[0] = 0;
  for (let j = 0; j < m; j++) {
    const d = dump[j];
    let c = positionWeight(d.rank) * (d.specific ? 1 : SW.genericFrameWeight.value) * SW.insertPenalty.value;
    if (!d.reliable) c *= SW.unreliableInsertFactor.value;
    if (d.inlined) c *= SW.inlinedInsertFactor.value;
    if (d.context) c = 0;
    insertCost[j] = c;
  }
  for (let j = 1; j <= m; j++) {
    score[j] = score[j - 1] - insertCost[j - 1];
    move[j] = SKIP_DUMP;
  }
  for (let i = 1; i <= n; i++) {
    const row = i * w;
    const prev = (i - 1) * w;
    score[row] = 0;
    move[row] = SKIP_SIG;
    const name = sig.names[i - 1];
    const credit = sig.weights[i - 1];
    for (let j = 1; j <= m; j++) {
      let best = score[prev + j];
      let mv = SKIP_SIG;
      const ins = score[row + j - 1] - insertCost[j - 1];
      if (ins > best) {
        best = ins;
        mv = SKIP_DUMP;
      }
      const d = dump[j - 1];
      if (d.name === name) {
        const mt = score[prev + j - 1] + (d.reliable ? credit : credit * SW.unreliableMatchCredit.value);
        if (mt >= best) {
          best = mt;
          mv = MATCH;
        }
      }
      score[row + j] = best;
      move[row + j] = mv;
    }
  }
  // Free end gap on the dump side: frames below the last match cost nothing.
  let bestJ = 0;
  for (let j = 1; j <= m; j++) if (score[n * w + j] > score[n * w + bestJ]) bestJ = j;
  const best = score[n * w + bestJ];

  const matched: StackAlignment['matched'] = [];
  const missingIdx: number[] = [];
  const extraAbove: string[] = [];
  let i = n;
  let j = bestJ;
  while (i > 0 || j > 0) {
    const mv = move[i * w + j];
    if (i > 0 && j > 0 && mv === MATCH) {
      const d = dump[j - 1];
      matched.push({ sig: i - 1, dump: d.index, name: d.name, reliable: d.reliable });
      i--;
      j--;
    } else if (i > 0 && (j === 0 || mv === SKIP_SIG)) {
      missingIdx.push(i - 1);
      i--;
    } else {
      const d = dump[j - 1];
      if (d.specific && d.reliable && !d.inlined && !d.context) extraAbove.push(d.name);
      j--;
    }
  }
  matched.reverse();
  extraAbove.reverse();
  missingIdx.reverse();

  // Truncation: signature frames after the last match that had no dump frames left to meet.
  let denominator = Math.max(sig.total, SW.minStackMass.value);
  let truncated = false;
  const lastSig = matched.length > 0 ? matched[matched.length - 1].sig : -1;
  const lastDumpPos =
    matched.length > 0 ? dump.findIndex((d) => d.index === matched[matched.length - 1].dump) : -1;
  const sigLeft = n - 1 - lastSig;
  // Only frames that could stand for a signature frame count as "dump left": `?` and inlined
  // frames below the last match do not.
  let dumpLeft = 0;
  for (let k = lastDumpPos + 1; k < m; k++) if (dump[k].reliable && !dump[k].inlined) dumpLeft++;
  if (sigLeft > 0 && dumpLeft < sigLeft && matched.length > 0) {
    truncated = true;
    let unseen = 0;
    // the last `sigLeft - dumpLeft` signature frames could not have appeared
    for (let k = n - (sigLeft - dumpLeft); k < n; k++) unseen += sig.weights[k];
    denominator = Math.max(denominator - unseen * (1 - SW.truncationCredit.value), SW.minStackMass.value);
  }
  const similarity = Math.max(0, Math.min(1, best / denominator));
  return { similarity, matched, missing: missingIdx.map((k) => sig.names[k]), extraAbove, truncated };
}
