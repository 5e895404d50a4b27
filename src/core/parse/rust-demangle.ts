// Rust v0 symbol names (`_RNv...`, RFC 2603) as paths: `_RNvCs..._4core9panicking9panic_fmt` →
// `core::panicking::panic_fmt`, trait impls as `<Type as Trait>::method`. Kernel Rust code
// prints its frames mangled; titles and states need the names. Enough of the grammar for
// paths, impls, backrefs and common types; anything else leaves the symbol as it is. Never throws.

const BASIC_TYPES: Readonly<Record<string, string>> = {
  a: 'i8',
  b: 'bool',
  c: 'char',
  d: 'f64',
  e: 'str',
  f: 'f32',
  h: 'u8',
  i: 'isize',
  j: 'usize',
  l: 'i32',
  m: 'u32',
  n: 'i128',
  o: 'u128',
  s: 'i16',
  t: 'u16',
  u: '()',
  v: '...',
  x: 'i64',
  y: 'u64',
  z: '!',
  p: '_',
};

class Unsupported extends Error {}

class Demangler {
  private pos = 0;
  private depth = 0;
  constructor(private readonly s: string) {}

  private peek(): string {
    return this.s[this.pos] ?? '';
  }

  private next(): string {
    if (this.pos >= this.s.length) throw new Unsupported();
    return this.s[this.pos++];
  }

  private base62(): number {
    if (this.peek() === '_') {
      this.pos++;
      return 0;
    }
    let n = 0;
    // Disambiguators are hashes (their value is not needed); backrefs are small offsets.
    for (let digits = 0; ; digits++) {
      const ch = this.next();
      if (ch === '_') return n + 1;
      if (digits > 24) throw new Unsupported();
      const d = /[0-9]/.test(ch)
        ? ch.charCodeAt(0) - 48
        : /[a-z]/.test(ch)
          ? ch.charCodeAt(0) - 87
          : /[A-Z]/.test(ch)
            ? ch.charCodeAt(0) - 29
            : -1;
      if (d < 0) throw new Unsupported();
      n = n * 62 + d;
    }
  }

  private disambiguator(): void {
    if (this.peek() === 's') {
      this.pos++;
      this.base62();
    }
  }

  private ident(): string {
    this.disambiguator();
    if (this.peek() === 'u') throw new Unsupported(); // punycode: rare in the kernel
    const start = this.pos;
    while (/[0-9]/.test(this.peek())) this.pos++;
    if (start === this.pos) throw new Unsupported();
    const len = Number(this.s.slice(start, this.pos));
    if (this.peek() === '_') this.pos++;
    if (this.pos + len > this.s.length) throw new Unsupported();
    const id = this.s.slice(this.pos, this.pos + len);
    this.pos += len;
    return id;
  }

  private backref<T>(read: () => T): T {
    const target = 2 + this.base62();
    if (target >= this.pos) throw new Unsupported();
    const saved = this.pos;
    this.pos = target;
    try {
      return read();
    } finally {
      this.pos = saved;
    }
  }

  path(): string {
    if (++this.depth > 64) throw new Unsupported();
    try {
      const tag = this.next();
      switch (tag) {
        case 'C':
          return this.ident();
        case 'N': {
          const ns = this.next();
          const parent = this.path();
          const id = this.ident();
          if (ns === 'C') return `${parent}::{closure}`;
          return id ? `${parent}::${id}` : parent;
        }
        case 'M': {
          this.disambiguator();
          this.path();
          return `<${this.type()}>`;
        }
        case 'X': {
          this.disambiguator();
          this.path();
          const ty = this.type();
          return `<${ty} as ${this.path()}>`;
        }
        case 'Y': {
          const ty = this.type();
          return `<${ty} as ${this.path()}>`;
        }
        case 'I': {
          const base = this.path();
          const args: string[] = [];
          while (this.peek() !== 'E') args.push(this.genericArg());
          this.pos++;
          return `${base}<${args.join(', ')}>`;
        }
        case 'B':
          return this.backref(() => this.path());
        default:
          throw new Unsupported();
      }
    } finally {
      this.depth--;
    }
  }

  private genericArg(): string {
    if (this.peek() === 'L') {
      this.pos++;
      this.base62();
      return "'_";
    }
    if (this.peek() === 'K') throw new Unsupported();
    return this.type();
  }

  type(): string {
    if (++this.depth > 64) throw new Unsupported();
    try {
      const ch = this.peek();
      if (BASIC_TYPES[ch]) {
        this.pos++;
        return BASIC_TYPES[ch];
      }
      switch (ch) {
        case 'R':
        case 'Q': {
          this.pos++;
          if (this.peek() === 'L') {
            this.pos++;
            this.base62();
          }
          return (ch === 'R' ? '&' : '&mut ') + this.type();
        }
        case 'P':
        case 'O':
          this.pos++;
          return (ch === 'P' ? '*const ' : '*mut ') + this.type();
        case 'S':
          this.pos++;
          return `[${this.type()}]`;
        case 'T': {
          this.pos++;
          const items: string[] = [];
          while (this.peek() !== 'E') items.push(this.type());
          this.pos++;
          return `(${items.join(', ')})`;
        }
        case 'B':
          this.pos++;
          return this.backref(() => this.type());
        default:
          return this.path();
      }
    } finally {
      this.depth--;
    }
  }
}

/** The path a Rust v0 symbol names, or null when it is not one this reads. */
export function demangleRustV0(symbol: string): string | null {
  if (!symbol.startsWith('_R') || symbol.length > 1024) return null;
  try {
    const d = new Demangler(symbol);
    (d as unknown as { pos: number }).pos = 2;
    return d.path();
  } catch {
    return null;
  }
}
