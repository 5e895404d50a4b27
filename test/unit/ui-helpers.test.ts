// The pure parts of the web page: the markdown subset (safe by construction: data, never
// HTML), the line highlighter (on the parser's real output), and the indicator explanations
// (from the parser's own tables).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { parseDump } from '../../src/core/parse';
import { BYTE_FILLS, KASAN_SHADOW_CODES, POINTER_POISONS } from '../../src/core/rules/poison';
import { highlightLines } from '../../src/ui/client/highlight';
import { parseMarkdown, type MdBlock, type MdInline } from '../../src/ui/client/markdown';
import { explainIndicators, indicatorTables, POISON_CONCLUSIONS } from '../../src/ui/indicators';
import { PAGE_JS } from '../../src/ui/page';
import { REPO_ROOT } from '../support/paths';

const MLX5 = readFileSync(
  join(REPO_ROOT, 'seed/signatures/linux-mlx5-dma-pool-uaf-on-reboot/example.txt'),
  'utf8',
);

function texts(inl: MdInline[]): string {
  return inl.map((x) => ('v' in x ? x.v : texts(x.c))).join('');
}
function allLinks(blocks: MdBlock[]): string[] {
  const out: string[] = [];
  const walk = (inl: MdInline[]) => {
    for (const x of inl) {
      if (x.t === 'a') out.push(x.href);
      if ('c' in x) walk(x.c);
    }
  };
  for (const b of blocks) {
    if ('c' in b) walk(b.c);
    if ('items' in b) b.items.forEach(walk);
  }
  return out;
}

describe('markdown subset', () => {
  test('headings, paragraphs, code, lists, quotes and inline marks', () => {
    const blocks = parseMarkdown(
      '## Root cause\n\n`dma_pool_destroy()` frees **every** page, *then*\nthe pool.\n\n```\nCPU1  CPU2\n  x\n```\n- one\n- two `a_b`\n\n1. first\n2. second\n\n> quoted',
    );
    assert.deepEqual(
      blocks.map((b) => b.t),
      ['h', 'p', 'pre', 'ul', 'ol', 'quote'],
    );
    const [h, p, pre, ul, ol] = blocks;
    assert.equal(h.t === 'h' && h.level, 2);
    assert.equal(p.t === 'p' && texts(p.c), 'dma_pool_destroy() frees every page, then the pool.');
    assert.deepEqual(p.t === 'p' && p.c.map((x) => x.t), ['code', 'text', 'strong', 'text', 'em', 'text']);
    assert.equal(pre.t === 'pre' && pre.v, 'CPU1  CPU2\n  x');
    assert.equal(ul.t === 'ul' && ul.items.length, 2);
    assert.equal(ol.t === 'ol' && texts(ol.items[1]), 'second');
  });

  test('markup and script stay text; only http(s) links survive', () => {
    const blocks = parseMarkdown(
      '<script>alert(1)</script> <img src=x onerror=alert(1)> [x](javascript:alert(1)) [ok](https://lore.kernel.org/r/1) see https://git.kernel.org/linus/4cca96a8d9da.',
    );
    assert.equal(blocks.length, 1);
    const p = blocks[0];
    assert.ok(p.t === 'p');
    assert.match(
      texts(p.c),
      /<script>alert\(1\)<\/script> <img src=x onerror=alert\(1\)> \[x\]\(javascript:alert\(1\)\)/,
    );
    assert.deepEqual(allLinks(blocks), [
      'https://lore.kernel.org/r/1',
      'https://git.kernel.org/linus/4cca96a8d9da',
    ]);
  });

  test('underscores are identifiers, not emphasis', () => {
    const [p] = parseMarkdown('__mlx5_ib_remove sets dev_ib_active');
    assert.ok(p.t === 'p');
    assert.deepEqual(p.c, [{ t: 'text', v: '__mlx5_ib_remove sets dev_ib_active' }]);
  });

  test('pathological input stays linear', () => {
    // 200k unmatched openers: a rescan per opener would be 4e10 character steps (tens of
    // seconds); the cached delimiter search keeps each under a second even on a busy machine.
    for (const opener of ['[', '`', '*', '**x', 'http://a ']) {
      const evil = opener.repeat(Math.ceil(200_000 / opener.length)) + '](';
      const start = process.hrtime.bigint();
      parseMarkdown(evil);
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      assert.ok(ms < 3000, `${JSON.stringify(opener)}: ${ms} ms`);
    }
  });

  test('the function runs standalone from its source text (as the page embeds it)', () => {
    const standalone = new Function(`return (${parseMarkdown.toString()})`)() as typeof parseMarkdown;
    const src = '## a\n\n**b** [c](https://d.example/)';
    assert.deepEqual(standalone(src), parseMarkdown(src));
    const hl = new Function(`return (${highlightLines.toString()})`)() as typeof highlightLines;
    assert.deepEqual(
      hl('a\nb', { span: { startLine: 0, endLine: 2 } }),
      highlightLines('a\nb', { span: { startLine: 0, endLine: 2 } }),
    );
  });
});

describe('dump line highlights', () => {
  test('the mlx5 session: headline, state frames, LIST_POISON1 and kmalloc-128 lines are marked', () => {
    const parsed = parseDump(MLX5);
    const h = highlightLines(MLX5, parsed);
    assert.deepEqual(h.span, parsed.span);
    const byReason = (re: RegExp) =>
      h.marks.filter((m) => m.reasons.some((r) => re.test(r))).map((m) => h.lines[m.line]);
    assert.match(byReason(/^headline$/)[0], /BUG: unable to handle kernel NULL pointer dereference/);
    assert.ok(byReason(/frame dma_pool_alloc/).every((l) => /dma_pool_alloc/.test(l)));
    assert.ok(byReason(/frame mlx5_alloc_cmd_msg/).length >= 1);
    const poison = byReason(/LIST_POISON1/);
    assert.ok(poison.length >= 1 && poison.every((l) => /dead000000000100/i.test(l)), poison.join('\n'));
    assert.ok(byReason(/slab cache kmalloc-128/).length >= 1);
    // Lines the verdict does not rest on are not marked.
    const marked = new Set(h.marks.map((m) => m.line));
    const unmarked = h.lines.filter((_, i) => i >= h.span.startLine && i < h.span.endLine && !marked.has(i));
    assert.ok(unmarked.length > h.marks.length, 'most lines stay unmarked');
  });

  test('line numbers follow the parser on CRLF and lone-CR input', () => {
    const text = 'noise\r\nmore\rnoise\r\r\nserial\r\r\n' + MLX5;
    const parsed = parseDump(text);
    const h = highlightLines(text, parsed);
    const head = h.marks.find((m) => m.reasons.includes('headline'))!;
    assert.match(h.lines[head.line], /BUG: unable to handle kernel NULL pointer dereference/);
  });

  test('text the parser recognised nothing in gets no marks', () => {
    const text = 'hello\nworld\n';
    assert.deepEqual(highlightLines(text, parseDump(text)).marks, []);
  });

  test('a frame name inside a longer identifier is not a match', () => {
    const h = highlightLines('x\n__foo_bar+0x1\nfoo_bar+0x2/0x10\n', {
      state: ['foo_bar'],
      span: { startLine: 0, endLine: 3 },
    });
    assert.deepEqual(
      h.marks.filter((m) => m.reasons.includes('frame foo_bar')).map((m) => m.line),
      [2],
    );
  });
});

describe('indicator explanations come from the parser tables', () => {
  test('LIST_POISON1 at dma_pool.pools.next: a deleted list entry, the dma_pool freed or unlinked', () => {
    const items = explainIndicators(parseDump(MLX5).indicators);
    const lp1 = items.find((i) => i.label === 'LIST_POISON1 0xdead000000000100')!;
    assert.ok(lp1);
    const rule = POINTER_POISONS.find((r) => r.name === 'LIST_POISON1')!;
    assert.equal(lp1.meaning, rule.meaning);
    assert.equal(lp1.source, rule.source);
    assert.ok(lp1.details.includes(rule.why));
    assert.match(
      lp1.details[0],
      /pools\.next of a struct dma_pool.*deleted from its list.*freed or unlinked/,
    );
    assert.match(lp1.conclusion!, /list_del\(\).*freed or unlinked/);
    const lp2 = items.find((i) => i.label.startsWith('LIST_POISON2'))!;
    assert.match(lp2.meaning, /before v5\.2/, 'the 0x200 row, not the 0x122 one');
    const cache = items.find((i) => i.kind === 'slab-cache')!;
    assert.match(cache.meaning, /up to 128 bytes/);
    assert.equal(items.find((i) => i.kind === 'fault-address')!.meaning.startsWith('NULL'), true);
  });

  test('offsets, fills, shadow bytes and named caches', () => {
    const items = explainIndicators({
      poisonValues: [
        {
          value: '0xdead000000000108',
          name: 'LIST_POISON1',
          base: '0xdead000000000100',
          offset: 8,
          meaning: '',
          where: 'register RAX',
        },
        {
          value: '0x6b6b6b6b6b6b6b6b',
          name: 'POISON_FREE',
          base: '0x6b',
          offset: 0,
          meaning: '',
          where: 'register RDI',
        },
      ],
      shadowCodes: [{ code: 'fb', meaning: 'x' }],
      slabCaches: ['ext4_inode_cache'],
    });
    assert.match(items[0].meaning, /\+ 0x8: a field 0x8 bytes into/);
    assert.match(items[0].details[0], /held in RAX/);
    assert.equal(items[1].kind, 'fill');
    assert.equal(items[1].meaning, BYTE_FILLS.find((f) => f.name === 'POISON_FREE')!.meaning);
    assert.equal(items[2].meaning, KASAN_SHADOW_CODES.fb);
    assert.match(items[2].conclusion!, /use-after-free/);
    assert.match(items[3].meaning, /dedicated slab cache/);
    const asan = explainIndicators({ shadowCodes: [{ code: 'fd', meaning: 'x' }] }, 'userspace');
    assert.equal(asan[0].meaning, 'freed heap region');
  });

  test('every conclusion is keyed by a real table row', () => {
    const names = new Set([...POINTER_POISONS.map((r) => r.name), ...BYTE_FILLS.map((r) => r.name)]);
    for (const k of Object.keys(POISON_CONCLUSIONS))
      assert.ok(names.has(k), `${k} is not in rules/poison.ts`);
    const t = indicatorTables();
    assert.equal(t.pointerPoisons.length, POINTER_POISONS.length);
    assert.ok(t.kasanShadow.some((s) => s.code === '03' && /first 3 bytes/.test(s.meaning!)));
  });
});

describe('the page script', () => {
  test('is valid JavaScript, embeds the tested helpers and no HTML sink', () => {
    assert.doesNotThrow(() => new Function(PAGE_JS));
    assert.ok(PAGE_JS.includes(parseMarkdown.toString()));
    assert.ok(PAGE_JS.includes(highlightLines.toString()));
    assert.doesNotMatch(PAGE_JS, /innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(/);
  });
});
