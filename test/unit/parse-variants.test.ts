// Fingerprint invariants: a fixture rewritten with other addresses, timestamps, pids, offsets,
// CPU numbers and build suffixes keeps its fingerprint; fixtures of different bugs never share one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseDump, stripEnvelope } from '../../src/core/parse/index';
import { FIXTURES_DIR } from '../support/paths';
import { listFixtures } from './parse-golden.test';

// A fixed permutation of non-zero hex digits: values change, zero runs (NULL, small offsets) stay.
const HEX_MAP: Record<string, string> = {
  '1': '7',
  '2': '9',
  '3': '4',
  '4': 'b',
  '5': '1',
  '6': 'c',
  '7': '2',
  '8': 'e',
  '9': '3',
  a: '5',
  b: 'd',
  c: 'f',
  d: '8',
  e: 'a',
  f: '6',
};
const mapHex = (s: string): string => s.replace(/[1-9a-f]/g, (c) => HEX_MAP[c] ?? c);

export function rewriteVariant(text: string): string {
  return text
    .replace(/\[ {0,12}\d{1,10}\.\d{6}\]/g, (m) => m.replace(/\d/g, (d) => String((Number(d) + 3) % 10)))
    .replace(
      /\+0x[0-9a-f]{1,10}\/0x[0-9a-f]{1,10}/g,
      (m) => '+0x' + mapHex(m.slice(3).split('/')[0]) + '/0x' + mapHex(m.split('/0x')[1]) + 'f',
    )
    .replace(
      /\b(0x)?([0-9a-f]{8,16})\b/g,
      (_m, p: string | undefined, h: string) =>
        (p ?? '') + (/^dead0000|^dffffc|^6b6b|^\d+$/.test(h) ? h : mapHex(h)),
    )
    .replace(
      /\b(PID:? {1,2}|pid[: ]{1,2}|task )(\d{1,7})\b/g,
      (_m, a: string, n: string) => a + String(Number(n) + 17),
    )
    .replace(/\b(CPU: |CPU#|cpu )(\d{1,3})\b/g, (_m, a: string, n: string) => a + String((Number(n) + 1) % 8))
    .replace(/ #(\d{1,6})\b/g, (_m, n: string) => ` #${Number(n) + 101}`)
    .replace(
      /\[(exception RIP: [\w.]+)\+(\d{1,6})\]/g,
      (_m, f: string, n: string) => `[${f}+${Number(n) + 9}]`,
    );
}

const fixtures = listFixtures();

test('every fixture keeps its fingerprint when addresses, pids, timestamps and offsets change', () => {
  for (const file of fixtures) {
    const text = readFileSync(file, 'utf8');
    const a = parseDump(text);
    const b = parseDump(rewriteVariant(text));
    assert.equal(
      b.fingerprint,
      a.fingerprint,
      `${relative(FIXTURES_DIR, file)}: fingerprint changed under rewriting`,
    );
    assert.equal(b.title, a.title, `${relative(FIXTURES_DIR, file)}: title changed under rewriting`);
  }
});

test('fixtures of different bugs never share a fingerprint', () => {
  const seen = new Map<string, string>();
  for (const file of fixtures) {
    const name = relative(FIXTURES_DIR, file).replace(/\.txt$/, '');
    const expected = JSON.parse(readFileSync(file.slice(0, -4) + '.expected.json', 'utf8')) as {
      sameBugAs?: string;
    };
    const fp = parseDump(readFileSync(file, 'utf8')).fingerprint;
    if (!fp) continue;
    const other = seen.get(fp);
    if (other && expected.sameBugAs !== other) {
      const otherExpected = JSON.parse(readFileSync(`${FIXTURES_DIR}/${other}.expected.json`, 'utf8')) as {
        sameBugAs?: string;
      };
      assert.equal(
        otherExpected.sameBugAs,
        name,
        `${name} and ${other} share fingerprint ${fp.slice(0, 12)}`,
      );
    }
    seen.set(fp, name);
  }
});

/** What a parse says about a report's identity: what a rewrite of its text must leave alone. */
function identity(text: string): string {
  const p = parseDump(text);
  return JSON.stringify({
    title: p.title,
    kind: p.kind,
    state: p.state,
    frames: p.frames,
    fp: p.fingerprint,
  });
}

/** A line's body once its envelope is stripped. */
const body = (line: string) => stripEnvelope(line).text;

// Pasted reports pick up blanks at line ends (terminal padding, editors, mail clients), CRLF
// line ends, a byte-order mark (a Windows editor) and an indentation of the whole text (a
// Markdown code block); tools add their own fields (dmesg -x, journalctl). None changes what a
// report says, so none may change what is parsed.
test('every fixture parses the same with trailing blanks, CRLF, a BOM, indented, or as dmesg -x, journalctl and syslog print it', () => {
  for (const file of fixtures) {
    const text = readFileSync(file, 'utf8');
    const want = identity(text);
    const name = relative(FIXTURES_DIR, file);
    assert.equal(identity(text.replace(/\n/g, ' \t \n')), want, `${name}: trailing blanks changed the parse`);
    assert.equal(identity(text.replace(/\n/g, '\r\n')), want, `${name}: CRLF changed the parse`);
    assert.equal(
      identity(text.replace(/\n/g, '\r\r\n')),
      want,
      `${name}: a serial console's CR CR LF changed the parse`,
    );
    assert.equal(identity('\ufeff' + text), want, `${name}: a byte-order mark changed the parse`);
    // `dmesg -x` and `journalctl -k -o short-monotonic` around the kernel's own lines.
    const decoded = text.replace(/^(?=\[ {0,12}\d{1,10}\.\d{1,9}\] )/gm, 'kern  :warn  : ');
    assert.equal(identity(decoded), want, `${name}: dmesg -x's facility and level changed the parse`);
    const journal = text.replace(/^(\[ {0,12}\d{1,10}\.\d{1,9}\]) /gm, '$1 buildbot-7 kernel: ');
    assert.equal(identity(journal), want, `${name}: journalctl's host and kernel: changed the parse`);
    // What a syslog collector receives over the network: RFC 3164 and RFC 5424 with a priority.
    const bsd = text.replace(
      /^(?=\[ {0,12}\d{1,10}\.\d{1,9}\] )/gm,
      '<4>Dec  4 03:00:00 buildbot-7 kernel: ',
    );
    assert.equal(identity(bsd), want, `${name}: an RFC 3164 syslog header changed the parse`);
    const rfc5424 = text.replace(
      /^(?=\[ {0,12}\d{1,10}\.\d{1,9}\] )/gm,
      '<4>1 2026-12-04T03:00:00.123456+00:00 buildbot-7.example kernel - - [timeQuality tzKnown="1"] ',
    );
    assert.equal(identity(rfc5424), want, `${name}: an RFC 5424 syslog header changed the parse`);
    assert.equal(
      identity(text.replace(/^/gm, '    ')),
      want,
      `${name}: indenting by four spaces changed the parse`,
    );
    assert.equal(
      identity(text.replace(/^(?=.)/gm, '\t')),
      want,
      `${name}: indenting by a tab changed the parse`,
    );
  }
});

test('syslog headers with a priority are envelope, for the kernel and for programs', () => {
  assert.equal(body('<4>1 2026-12-04T03:00:00Z host kernel - - - BUG: KASAN: x'), 'BUG: KASAN: x');
  assert.equal(body('<4>1 - host kernel - - [meta sequenceId="7"] \ufeffBUG: y'), 'BUG: y');
  assert.equal(body('<14>Dec  4 03:00:00 host kernel: [ 12.3] BUG: x'), 'BUG: x');
  // The printk level alone, before a console timestamp, is stripped as before.
  assert.equal(body('<4>[ 12.3] BUG: z'), 'BUG: z');
  // A program's message too (a service's sanitizer report read from the system log).
  assert.equal(
    body('<11>1 2026-12-04T03:00:00Z host fuzzd 4242 - - ==4242==ERROR: AddressSanitizer: x'),
    '==4242==ERROR: AddressSanitizer: x',
  );
  assert.equal(
    body('Dec  4 03:00:00 host fuzzd[4242]:     #0 0x4f2a in main a.c:7'),
    '    #0 0x4f2a in main a.c:7',
  );
  // Without a pid a `name: ` after the host is any text, not a program's tag.
  assert.equal(body('Dec  4 03:00:00 host note: x'), 'Dec  4 03:00:00 host note: x');
});

// A service's own report (a sanitizer's, a runtime's) read from the system log: every line
// carries the log's header. The user-space families' fixtures (kernel logs are the kernel's
// messages, and some of ours are syslog already).
const USERSPACE_FAMILIES = new Set([
  'android',
  'asan',
  'assert',
  'check',
  'gdb',
  'go',
  'hwasan',
  'java',
  'lsan',
  'msan',
  'python',
  'tsan',
  'ubsan',
  'v8',
  'valgrind',
]);
test('every fixture parses the same when every line went through syslog or the journal as a service output', () => {
  const chosen = fixtures.filter((f) => USERSPACE_FAMILIES.has(relative(FIXTURES_DIR, f).split(/[\\/]/)[0]));
  assert.ok(chosen.length > 30, `${chosen.length} user-space fixtures`);
  for (const file of chosen) {
    const text = readFileSync(file, 'utf8');
    const want = identity(text);
    const name = relative(FIXTURES_DIR, file);
    for (const header of [
      'Dec  4 03:00:00 fuzzhost fuzzd[4242]: ',
      '2026-12-04T03:00:00+0000 fuzzhost fuzzd[4242]: ',
      '<11>1 2026-12-04T03:00:00.123456+00:00 fuzzhost fuzzd 4242 - - ',
    ])
      assert.equal(
        identity(text.replace(/^/gm, header)),
        want,
        `${name}: ${JSON.stringify(header)} changed the parse`,
      );
  }
});

test('a getty prompt the console ran into is envelope only where syzkaller strips it', () => {
  assert.equal(body('syzkaller login: [   16.30] INFO: task hung'), 'INFO: task hung');
  // The first ` login: [` counts; a `login: [` without the space before it is not a prompt.
  assert.equal(body('xlogin: [ 1.0] a syzkaller login: [   16.30] BUG: x'), 'BUG: x');
  assert.equal(body('x login: [   9.9] y login: [  10.0] z'), 'y login: [  10.0] z');
  assert.equal(body('login: [   16.30] BUG: x'), 'login: [   16.30] BUG: x');
  assert.equal(body(' login: [ 1.0] x'), ' login: [ 1.0] x');
  // It must start before column 128.
  assert.equal(body('a'.repeat(127) + ' login: [ 1.0] x'), 'x');
  assert.equal(body('a'.repeat(128) + ' login: [ 1.0] x'), 'a'.repeat(128) + ' login: [ 1.0] x');
});
