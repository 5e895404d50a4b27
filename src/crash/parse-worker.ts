// Runs in a worker thread (piscina): parses one dump off the main event loop. With `json` it
// hands back the ParsedDump as JSON text instead of the object: a stored dump needs the JSON
// twice (the database row and the answer), and JSON.stringify here plus JSON.parse on the event
// loop cost less than the structured clone of the object (0.09 + 0.11 ms against 0.21 +
// 0.18 ms for the bench's mean 37 KB ParsedDump).
import { parseDump } from '../core/parse';
import type { ParsedDump } from '../core/types';

export interface ParseTask {
  text: string;
  json: boolean;
}

export default function parseInWorker(task: string | ParseTask): ParsedDump | string {
  if (typeof task === 'string') return parseDump(task);
  const parsed = parseDump(task.text);
  return task.json ? JSON.stringify(parsed) : parsed;
}
