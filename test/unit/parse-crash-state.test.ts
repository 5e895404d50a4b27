// The ClusterFuzz-style crash state: the string clean-ups, the ignore rows, the walker on short
// hand-written inputs, the crash type → kind table, and the cost on hostile input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDump, prepareLines } from '../../src/core/parse';
import { FIXTURES_DIR, REPO_ROOT, textFilesUnder } from '../support/paths';
import {
  assertMessage,
  clusterfuzzState,
  filterAddressesAndNumbers,
  filterFrameName,
  fixCheckMessage,
  fixFilename,
  fixSanitizerType,
  goRuntimeError,
  isIgnoredStateFrame,
} from '../../src/core/parse/userspace/crash-state';
import { CRASH_TYPE_KINDS, kindsOfCrashType } from '../../src/core/parse/userspace/crash-type-kinds';
import { STATE_IGNORE_RULES } from '../../src/core/parse/userspace/state-rules';
import { stateFrameNames } from '../../src/core/match/frames';
import { CRASH_KINDS } from '../../src/core/types';

const lines = (s: string) => s.split('\n');

test('frame names are kept the way ClusterFuzz keeps them', () => {
  assert.equal(
    filterFrameName('netkit::(anonymous namespace)::read_be32(unsigned char const*) /src/w.cc:4:1'),
    'netkit::read_be32',
  );
  assert.equal(
    filterFrameName('void ns::walk<ns::Tree<int> >(ns::Tree<int> const&) /src/t.h:9'),
    'void ns::walk<ns::Tree<int> >',
  );
  assert.equal(filterFrameName('chrome.dll!blink::Node::remove'), 'blink::Node::remove');
  assert.equal(filterFrameName('non-virtual thunk to cc::Layer::Update() /src/l.cc:1'), 'cc::Layer::Update');
  assert.equal(filterFrameName('parse_value /src/json.c:12:3'), 'parse_value');
  assert.equal(filterAddressesAndNumbers('GetHandleVerifier+0x3a2c811'), 'GetHandleVerifier');
  assert.equal(
    filterAddressesAndNumbers('node #1234 at 0xdeadbeef, line 12'),
    'node #NUMBER at ADDRESS, line 12',
  );
  assert.equal(filterAddressesAndNumbers('input @2 of f.cc:1234'), 'input @NUMBER of f.cc:1234');
});

test('CHECK messages and file names are cleaned as ClusterFuzz cleans them', () => {
  assert.equal(fixCheckMessage('Check failed: len > 0 (-1 vs. 0).'), 'len > 0');
  assert.equal(
    fixCheckMessage('CHECK_EQ( (unsigned)p[0],1u) failed: 25 vs. 1'),
    'CHECK_EQ( (unsigned)p[0],1u) failed',
  );
  assert.equal(fixCheckMessage('bad token: "abc"'), 'bad token');
  assert.equal(fixFilename("'frameworks/av/foo/Bar.cpp:3301"), 'Bar.cpp');
  assert.equal(fixFilename('../../src/objects/map.cc'), 'map.cc');
  assert.equal(fixFilename('src\\base\\x.cc(12)'), 'x.cc');
  assert.equal(fixSanitizerType('heap_use_after_free'), 'Heap-use-after-free');
  assert.equal(fixSanitizerType('int-divide-by-zero'), 'Divide-by-zero');
});

test('assertion lines give their message', () => {
  assert.equal(assertMessage("prog: a.c:3: main: Assertion `n < 4' failed.")?.message, 'n < 4');
  assert.equal(assertMessage('ASSERTION FAILED: list->size() > 0')?.message, 'list->size() > 0');
  assert.equal(
    assertMessage(
      '/usr/include/c++/v1/optional:80: assertion has_value() failed: optional operator* on empty',
    )?.message,
    'optional operator* on empty',
  );
  assert.equal(assertMessage("thread 'main' panicked at 'boom', src/x.rs:1:2")?.message, 'boom');
  assert.equal(assertMessage('panic: bad state')?.family, 'go');
  // A word in running text is not an assertion.
  assert.equal(assertMessage('the driver said panic: none'), null);
  assert.equal(
    goRuntimeError('panic: runtime error: slice bounds out of range [:3]'),
    'Slice bounds out of range',
  );
  assert.equal(goRuntimeError('a.c:1:2: runtime error: index 5 out of bounds for type int[4]'), null);
});

test('every ignore row says why and drops its own example', () => {
  for (const r of STATE_IGNORE_RULES) {
    assert.ok(r.why.length > 20, r.id);
    assert.ok(isIgnoredStateFrame(r.example), `${r.id}: ${r.example}`);
  }
  assert.equal(isIgnoredStateFrame('blink::Document::UpdateStyle() /src/blink/document.cc:12'), false);
  assert.equal(isIgnoredStateFrame('logging::LogMessage::~LogMessage() /src/base/logging.cc:1'), true);
  assert.equal(isIgnoredStateFrame('foo /rustc/abc/library/core/src/panicking.rs:1'), true);
});

test('every crash type row maps to API kinds and matches its example', () => {
  for (const r of CRASH_TYPE_KINDS) {
    for (const k of r.kinds) assert.ok((CRASH_KINDS as readonly string[]).includes(k), `${r.id}: ${k}`);
    assert.ok(r.pattern.test(r.example), r.id);
  }
  assert.deepEqual(kindsOfCrashType('Heap-use-after-free\nREAD 8'), ['use-after-free']);
  assert.deepEqual(kindsOfCrashType('Kernel failure\nSlab-out-of-bounds\nWRITE 4'), ['out-of-bounds']);
  assert.deepEqual(kindsOfCrashType('Null-dereference WRITE'), ['null-deref']);
  assert.deepEqual(kindsOfCrashType(''), []);
});

test('an assertion printed before a SEGV on an assert address keeps the state', () => {
  const r = clusterfuzzState(
    lines(
      [
        'ASSERTION FAILED: node->parent()',
        '==1==ERROR: AddressSanitizer: SEGV on unknown address 0x0000bbadbeef (pc 0x1 bp 0x2 sp 0x3 T0)',
        '    #0 0x7f in WTFCrash /src/wtf/Assertions.cpp:33:3',
        '    #1 0x7f in blink::Node::detach(blink::Node*) /src/blink/node.cc:40:3',
        '    #2 0x7f in blink::Tree::prune() /src/blink/tree.cc:9:5',
      ].join('\n'),
    ),
  );
  assert.equal(r.crashType, 'ASSERT');
  assert.deepEqual(r.state, ['node->parent()', 'blink::Node::detach', 'blink::Tree::prune']);
});

test('stack overflow states the recursion cycle', () => {
  const frames = ['    #0 0x1 in memset /glibc-2.31/string/memset.S:1', '    #1 0x1 in skip_ws /src/j.c:3:1'];
  for (let i = 2; i < 40; i += 2)
    frames.push(
      `    #${i} 0x1 in parse_value /src/j.c:9:1`,
      `    #${i + 1} 0x1 in parse_array /src/j.c:20:1`,
    );
  const r = clusterfuzzState(
    lines(
      `==9==ERROR: AddressSanitizer: stack-overflow on address 0x7ffd0 (pc 0x1 bp 0x2 sp 0x3 T0)\n${frames.join('\n')}`,
    ),
  );
  assert.equal(r.crashType, 'Stack-overflow');
  assert.deepEqual(r.state, ['parse_value', 'parse_array']);
});

test('frames past a full state are read only for a stack overflow, and then as if read in order', () => {
  // The walk puts off the frame lines it sees once three frames are stated (restateReports asks
  // for no frames). A second report line restarts the state after some were put off: the new
  // state is the frames after it, and a cycle still sees every frame, the early ones first.
  const frame = (i: number, fn: string) => `    #${i} 0x1 in ${fn} /src/j.c:${i}:1`;
  const walkOf = (header: string, first: string[], second: string[]) => {
    const input = [header, ...first.map((f, i) => frame(i, f)), header, ...second.map((f, i) => frame(i, f))];
    const framesLess = clusterfuzzState(input, 0, input.length, { collectFrames: false });
    assert.deepEqual({ ...clusterfuzzState(input), frames: [] }, framesLess);
    return framesLess;
  };
  const overflow =
    '==9==ERROR: AddressSanitizer: stack-overflow on address 0x7ffd0 (pc 0x1 bp 0x2 sp 0x3 T0)';
  const cycle = walkOf(
    overflow,
    ['skip_ws', 'parse_value', 'parse_array', 'parse_value', 'parse_array'],
    ['parse_value', 'parse_array', 'parse_value', 'parse_array', 'emit'],
  );
  assert.equal(cycle.crashType, 'Stack-overflow');
  assert.deepEqual(cycle.state, ['parse_value', 'parse_array']);
  const noCycle = walkOf(overflow, ['a1', 'a2', 'a3', 'a4', 'a5'], ['b1', 'b2', 'b3', 'b4']);
  assert.deepEqual(noCycle.state, ['b1', 'b2', 'b3']);
  const uaf = walkOf(
    '==9==ERROR: AddressSanitizer: heap-use-after-free on address 0x6020 at pc 0x1 bp 0x2 sp 0x3',
    ['a1', 'a2', 'a3', 'a4'],
    ['b1', 'b2', 'b3', 'b4'],
  );
  assert.deepEqual(uaf.state, ['b1', 'b2', 'b3']);
  // And on every golden file: asking for no frames changes neither type nor state.
  for (const f of textFilesUnder(FIXTURES_DIR)) {
    const texts = prepareLines(readFileSync(f, 'utf8')).texts;
    const a = clusterfuzzState(texts, 0, texts.length, { collectFrames: false });
    assert.deepEqual({ ...clusterfuzzState(texts), frames: [] }, a, f);
  }
});

test('SEGV on a NULL-page address is a Null-dereference READ/WRITE', () => {
  const r = clusterfuzzState(
    lines(
      [
        '==3==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000010 (pc 0x5 bp 0x6 sp 0x7 T0)',
        '==3==The signal is caused by a WRITE memory access.',
        '    #0 0x5 in zz_write_header /src/zz.c:10:2',
      ].join('\n'),
    ),
  );
  assert.equal(r.crashType, 'Null-dereference WRITE');
  assert.deepEqual(r.state, ['zz_write_header']);
});

test('the state read for matching names frames, not messages', () => {
  const p = parseDump(
    [
      '[1:1:0101/000000.1:FATAL:cache.cc(77)] Check failed: entry.',
      '==1==ERROR: AddressSanitizer: ABRT on unknown address 0x000000000001 (pc 0x1 bp 0x2 sp 0x3 T0)',
      '    #0 0x1 in abort /glibc-2.31/stdlib/abort.c:79:7',
      '    #1 0x2 in disk::Cache<int>::Lookup(int) /src/disk/cache.cc:77:3',
      '    #2 0x3 in disk::Reader::Read() /src/disk/reader.cc:12:3',
    ].join('\n'),
  );
  assert.equal(p.kind, 'assertion');
  assert.deepEqual(p.state, ['entry in cache.cc', 'disk::Cache<int>::Lookup', 'disk::Reader::Read']);
  assert.deepEqual(stateFrameNames(p), ['disk::Cache::Lookup', 'disk::Reader::Read']);
});

test('hostile input stays linear', () => {
  const hostile = Array.from(
    { length: 20000 },
    (_, i) =>
      `[${i}:1:x:FATAL:a.cc(1)] Check failed: ${'('.repeat(50)} panic: ASSERTION FAILED: a.c:1: assertion ${'x'.repeat(100)} failed: y`,
  ).join('\n');
  const t0 = process.hrtime.bigint();
  const r = clusterfuzzState(lines(hostile));
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  assert.ok(r.crashType !== '');
  assert.ok(ms < 5000, `${ms} ms`);
});

test('the line filter changes nothing: every golden file and seed example walks the same without it', () => {
  const files = [...textFilesUnder(FIXTURES_DIR), ...textFilesUnder(join(REPO_ROOT, 'seed'))];
  let typed = 0;
  for (const f of files) {
    const input = prepareLines(readFileSync(f, 'utf8')).texts;
    const filtered = clusterfuzzState(input);
    assert.deepEqual(filtered, clusterfuzzState(input, 0, input.length, { exhaustive: true }), f);
    if (filtered.crashType !== '') typed++;
  }
  // The comparison means something only if many inputs name a crash.
  assert.ok(typed >= 40, `${typed} of ${files.length} inputs typed`);
});

test('the line filter lets through the lines the rules of each family read (glibc, glog, Rust, Chromium, Go)', () => {
  const walkAll = (text: string) => {
    const input = lines(text);
    return [clusterfuzzState(input), clusterfuzzState(input, 0, input.length, { exhaustive: true })];
  };
  for (const text of [
    "prog: zz.c:12: zz_parse: Assertion `len > 0' failed.\n    #0 0x1 in zz_parse /src/zz.c:12:3",
    'F0102 03:04:05.678901  1234 zz.cc:12] Check failed: n > 0\n    #0 0x1 in zz::Run() /src/zz.cc:12:3',
    "thread 'main' panicked at src/zz.rs:1:2:\nindex out of bounds\n   0: zz::run",
    '[1:2:0324/233644:FATAL:zz.cc(299)] Check failed: ok.\n#0 0x1 zz::Run()',
    'panic: runtime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:\nmain.zz(0x1)\n\t/src/zz.go:12 +0x1d',
  ]) {
    const [a, b] = walkAll(text);
    assert.deepEqual(a, b, text);
    assert.notEqual(a.crashType, '', text);
  }
});

// V8 indents its frames with spaces, but a trace that went through a logger or an editor often
// has tabs instead (as Java's always has): the frames are the same frames.
test('a Jazzer.js trace names the same state with tab-indented frames', () => {
  const report = [
    'INFO: Seed: 2271406871',
    "==4242== Uncaught Exception: Jazzer.js: TypeError: Cannot read properties of undefined (reading 'length')",
    '    at readChunk (/src/imgkit/dist/png.js:88:31)',
    '    at decodePng (/src/imgkit/dist/png.js:140:18)',
    '    at module.exports.fuzz (/src/imgkit/fuzz/png.fuzz.js:7:5)',
    '    at /src/imgkit/node_modules/@jazzer.js/core/dist/core.js:344:20',
  ].join('\n');
  for (const text of [report, report.replace(/^ {4}/gm, '\t')]) {
    const parsed = parseDump(text);
    assert.equal(parsed.title, 'JavaScript: Uncaught exception in readChunk');
    assert.deepEqual(parsed.state, ['readChunk', 'decodePng', 'module.exports.fuzz']);
  }
});
