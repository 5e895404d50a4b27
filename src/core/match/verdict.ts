// Verdicts over the ranked candidates of one dump. A score says how well a signature fits; a
// `match` says the service is confident it is THIS known bug, which needs more: the signature
// must fit its report clearly better than every other signature that is not a duplicate of it.
// - Per report, only the leader (and its duplicates) can be a `match`.
// - A leader tied (within THRESHOLDS.tie) with a signature that is not its duplicate is no
//   match: the two fit equally, the evidence says with whom.
// - Any other signature at or above the match threshold is `similar`, the evidence names the
//   signature that fits better.
// - The main report's match leads the answer, a later report's follows (leadingClaim).
import type { Evidence, Verdict } from '../types';
import { THRESHOLDS } from './weights';

export interface RankedCandidate {
  id: string;
  title: string;
  score: number;
  /** The report of the dump the signature scored best on. */
  reportIndex: number;
  /** The signature it duplicates (knowledge-base `duplicateOf`), if any. */
  duplicateOf?: string | null;
}

export interface VerdictDecision {
  verdict: Verdict;
  /** Signatures this one ties with (not duplicates), empty when none. */
  tiedWith: string[];
  /** Zero-weight evidence explaining a verdict the score alone does not give. */
  note: Evidence | null;
}

/** Two signatures are one bug when one duplicates the other or both duplicate the same one. */
export function sameBug(a: RankedCandidate, b: RankedCandidate): boolean {
  if (a.id === b.id) return true;
  if (a.duplicateOf && (a.duplicateOf === b.id || a.duplicateOf === b.duplicateOf)) return true;
  return !!b.duplicateOf && b.duplicateOf === a.id;
}

const fmt = (x: number): string => x.toFixed(2);

/** `ranked` best first; returns one decision per candidate, in the same order. */
export function decideVerdicts(
  ranked: readonly RankedCandidate[],
  matchAt: number = THRESHOLDS.match.value,
  tie: number = THRESHOLDS.tie.value,
): VerdictDecision[] {
  const leaders = new Map<number, number>();
  ranked.forEach((c, i) => {
    if (!leaders.has(c.reportIndex)) leaders.set(c.reportIndex, i);
  });
  // Ties of each leader: other signatures on the same report within `tie` of its score.
  const ties = new Map<number, number[]>();
  for (const [rep, li] of leaders) {
    const lead = ranked[li];
    const tied: number[] = [];
    for (let j = 0; j < ranked.length; j++) {
      const c = ranked[j];
      if (j === li || c.reportIndex !== rep || sameBug(c, lead)) continue;
      if (c.score >= lead.score - tie) tied.push(j);
    }
    ties.set(rep, tied);
  }
  return ranked.map((c, i) => {
    const li = leaders.get(c.reportIndex) ?? i;
    const lead = ranked[li];
    const tied = ties.get(c.reportIndex) ?? [];
    const isLeaderGroup = i === li || sameBug(c, lead);
    if (isLeaderGroup && tied.length > 0 && (c.score >= matchAt || lead.score >= matchAt)) {
      const others = tied.map((j) => ranked[j]);
      return {
        verdict: 'similar',
        tiedWith: others.map((o) => o.id),
        note: {
          feature: 'tie',
          detail: `fits report #${c.reportIndex} as well as ${others
            .slice(0, 3)
            .map((o) => `"${o.title}" (${fmt(o.score)})`)
            .join(
              ', ',
            )}${others.length > 3 ? ` and ${others.length - 3} more` : ''}: no single known bug, not claimed`,
          weight: 0,
        },
      };
    }
    if (isLeaderGroup) {
      const verdict: Verdict = c.score >= matchAt ? 'match' : 'similar';
      // What it beat: the best other bug on the same report, so the margin is explained.
      const next = ranked.find((o, j) => j !== i && o.reportIndex === c.reportIndex && !sameBug(o, c));
      const note: Evidence | null =
        verdict === 'match' && next
          ? {
              feature: 'margin',
              detail: `next other signature "${next.title}" ${fmt(next.score)} (${fmt(c.score - next.score)} lower)`,
              weight: 0,
            }
          : null;
      return { verdict, tiedWith: [], note };
    }
    if (tied.includes(i)) {
      return {
        verdict: 'similar',
        tiedWith: [lead.id, ...tied.filter((j) => j !== i).map((j) => ranked[j].id)],
        note: {
          feature: 'tie',
          detail: `fits report #${c.reportIndex} as well as "${lead.title}" (${fmt(lead.score)}): not claimed`,
          weight: 0,
        },
      };
    }
    return {
      verdict: 'similar',
      tiedWith: [],
      note:
        c.score >= matchAt
          ? {
              feature: 'outranked',
              detail: `"${lead.title}" fits report #${c.reportIndex} better (${fmt(lead.score)}): not claimed`,
              weight: 0,
            }
          : null,
    };
  });
}

/**
 * Which claimed candidate leads the answer: the dump is named by its main report (the first
 * one, which syzbot titles it by), so its `match` comes first when it has one; a `match` on a
 * later report (another hung task, a later oops) follows it. Without one on the main report,
 * the best-scoring claim leads. Returns the index into `ranked`, or -1 when nothing is claimed.
 */
export function leadingClaim(
  ranked: readonly RankedCandidate[],
  decisions: readonly VerdictDecision[],
  mainReport: number | null,
): number {
  let best = -1;
  for (let i = 0; i < ranked.length; i++) {
    if (decisions[i]?.verdict !== 'match') continue;
    if (mainReport !== null && ranked[i].reportIndex === mainReport) return i;
    if (best < 0) best = i;
  }
  return best;
}
