// Runs in a worker thread (piscina): parses one dump off the main event loop. With `json` it
// also hands back the ParsedDump as JSON, which a stored dump needs twice (the database row and
// the answer): made here, that is CPU the event loop does not spend.
import { parseDump } from '../core/parse';
import type { ParsedDump } from '../core/types';

export interface ParseTask {
  text: string;
  json: boolean;
}

export default function parseInWorker(
  task: string | ParseTask,
): ParsedDump | { parsed: ParsedDump; json: string } {
  if (typeof task === 'string') return parseDump(task);
  const parsed = parseDump(task.text);
  return task.json ? { parsed, json: JSON.stringify(parsed) } : parsed;
}
