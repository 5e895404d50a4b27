import type { ParsedReport, ReportFormat } from '../types';

/** A report with nothing found yet: every parser starts from this and fills in what it reads. */
export function emptyReport(format: ReportFormat = 'unknown', notes: string[] = []): ParsedReport {
  return {
    format,
    title: null,
    kind: 'unknown',
    headline: null,
    access: null,
    frames: [],
    guiltyFrame: null,
    state: [],
    indicators: { poisonValues: [], slabCaches: [], objectSizes: [], faultAddress: null, shadowCodes: [] },
    environment: {},
    secondaryOf: null,
    notes,
    fingerprint: null,
  };
}
