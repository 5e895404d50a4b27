// Runs in a worker thread (piscina): parses one dump off the main event loop.
import { parseDump } from '../core/parse';
import type { ParsedDump } from '../core/types';

export default function parseInWorker(text: string): ParsedDump {
  return parseDump(text);
}
