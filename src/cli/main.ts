// crashkb command line (API.md "Command line"):
//   crashkb parse FILE...            one ParsedDump JSON line per FILE (`-` = stdin); no server needed
//   crashkb match FILE [--url --key] POST /api/v1/match; exit 0 matched, 1 no match, 2 error
//   crashkb submit FILE [--url --key] POST /api/v1/dumps; same exit statuses
//   crashkb kb export [--url --key]   the knowledge base bundle on stdout
//   crashkb kb import FILE [--dry-run] [--url --key]
//   crashkb secrets new-key | rotate [--new-key HEX]   (on the database itself, not through the API)
import { readFileSync } from 'node:fs';
import { loadAppConfig } from '../config/app-config';
import { parseDump } from '../core/parse';
import { newSecretKey } from '../secrets/secret-box';

const USAGE = `usage:
  crashkb parse FILE...                 print one ParsedDump JSON line per FILE ('-' reads stdin)
  crashkb match FILE [--url URL] [--key KEY]
  crashkb submit FILE [--url URL] [--key KEY]
  crashkb kb export [--url URL] [--key KEY]
  crashkb kb import FILE [--dry-run] [--url URL] [--key KEY]
  crashkb secrets new-key               print a new random key for CRASHKB_SECRET_KEY
  crashkb secrets rotate [--new-key HEX] re-encrypt stored secrets with a new key (DATABASE_URL or
                                        the stopped embedded database in CRASHKB_DATA_DIR)
The service URL and key default to CRASHKB_URL (http://127.0.0.1:3000) and CRASHKB_KEY.
match/submit exit 0 when a known bug matched, 1 when none did, 2 on error.`;

export const EXIT_MATCHED = 0;
export const EXIT_NO_MATCH = 1;
export const EXIT_ERROR = 2;

interface Options {
  positional: string[];
  url: string;
  key: string;
  dryRun: boolean;
  newKey: string | undefined;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    positional: [],
    url: process.env.CRASHKB_URL || 'http://127.0.0.1:3000',
    key: process.env.CRASHKB_KEY || '',
    dryRun: false,
    newKey: undefined,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--url') o.url = argv[++i] ?? '';
    else if (a.startsWith('--url=')) o.url = a.slice(6);
    else if (a === '--key') o.key = argv[++i] ?? '';
    else if (a.startsWith('--key=')) o.key = a.slice(6);
    else if (a === '--dry-run') o.dryRun = true;
    else if (a === '--new-key') o.newKey = argv[++i] ?? '';
    else if (a.startsWith('--new-key=')) o.newKey = a.slice(10);
    else o.positional.push(a);
  }
  o.url = o.url.replace(/\/+$/, '');
  return o;
}

function readInput(file: string): string {
  return readFileSync(file === '-' ? 0 : file, 'utf8');
}

async function call(o: Options, method: string, path: string, body?: string, contentType?: string) {
  const res = await fetch(o.url + path, {
    method,
    headers: {
      ...(o.key ? { authorization: `Bearer ${o.key}` } : {}),
      ...(contentType ? { 'content-type': contentType } : {}),
    },
    body,
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // not JSON: reported as text below
  }
  return { status: res.status, json, text };
}

function fail(message: string): number {
  process.stderr.write(`crashkb: ${message}\n`);
  return EXIT_ERROR;
}

async function matchOrSubmit(o: Options, path: string): Promise<number> {
  if (o.positional.length !== 1) return fail('expected exactly one FILE');
  const r = await call(o, 'POST', path, readInput(o.positional[0]), 'text/plain');
  if (r.status >= 400 || r.json === null) {
    const detail = (r.json as { detail?: string } | null)?.detail ?? r.text.slice(0, 300);
    return fail(`${r.status}: ${detail}`);
  }
  process.stdout.write(JSON.stringify(r.json) + '\n');
  const matches = (r.json as { matches?: { verdict?: string }[] }).matches ?? [];
  return matches.some((m) => m.verdict === 'match') ? EXIT_MATCHED : EXIT_NO_MATCH;
}

async function secretsCommand(o: Options): Promise<number> {
  const [sub] = o.positional;
  if (sub === 'new-key') {
    process.stdout.write(newSecretKey() + '\n');
    return 0;
  }
  if (sub !== 'rotate') return fail(USAGE);
  // Loaded only here: parse/match/submit need neither TypeORM nor the embedded database.
  const { rotateSecrets } = await import('../secrets/rotate.js');
  const r = await rotateSecrets(loadAppConfig(process.env), { newKey: o.newKey });
  process.stderr.write(
    `crashkb: ${r.encrypted} plain-text and ${r.rewrapped} encrypted secret(s) now under key ${r.keyId}` +
      (r.keyFile ? ` (key file ${r.keyFile})` : '') +
      '\n',
  );
  for (const u of r.unreadable)
    process.stderr.write(`crashkb: not readable with the configured keys, left: ${u}\n`);
  if (r.printKey) {
    process.stderr.write('crashkb: set CRASHKB_SECRET_KEY to this key on every instance (stdout):\n');
    process.stdout.write(r.printKey + '\n');
  }
  return r.unreadable.length ? EXIT_ERROR : 0;
}

export async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const o = parseArgs(rest);
  try {
    switch (command) {
      case 'parse': {
        if (o.positional.length === 0) return fail('expected at least one FILE (or - for stdin)');
        for (const file of o.positional) {
          process.stdout.write(JSON.stringify(parseDump(readInput(file))) + '\n');
        }
        return 0;
      }
      case 'match':
        return await matchOrSubmit(o, '/api/v1/match');
      case 'submit':
        return await matchOrSubmit(o, '/api/v1/dumps');
      case 'kb': {
        const [sub, file] = o.positional;
        if (sub === 'export') {
          const r = await call(o, 'GET', '/api/v1/signatures/export');
          if (r.status !== 200) return fail(`${r.status}: ${r.text.slice(0, 300)}`);
          process.stdout.write(r.text + '\n');
          return 0;
        }
        if (sub === 'import' && file) {
          const path = `/api/v1/signatures/import${o.dryRun ? '?dryRun=true' : ''}`;
          const r = await call(o, 'POST', path, readInput(file), 'application/json');
          if (r.status >= 400) return fail(`${r.status}: ${r.text.slice(0, 300)}`);
          process.stdout.write(r.text + '\n');
          return 0;
        }
        return fail(USAGE);
      }
      case 'secrets':
        return await secretsCommand(o);
      case '--help':
      case '-h':
      case 'help':
        process.stdout.write(USAGE + '\n');
        return 0;
      default:
        return fail(USAGE);
    }
  } catch (err) {
    return fail((err as Error).message);
  }
}
