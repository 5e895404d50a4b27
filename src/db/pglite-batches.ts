// pglite-socket (0.2.x) serves every connection from one PGlite session and queues each
// protocol message on its own, keeping a connection's messages together only inside a
// transaction. `pg` sends a parameterised query as Parse, Bind, Describe, Execute, Sync in one
// write; when a large one (a dump as its parameter) reaches the socket in several chunks, the
// Parse is run as soon as it is complete, another connection's query can run before the rest
// arrives, and the Bind then binds *that* connection's unnamed statement: an error ("bind
// message supplies 2 parameters, but prepared statement "" requires 1") or, with the same
// parameter count, the wrong statement run with the dump's parameters and answered as if it were
// the INSERT (measured: 1 of 200 large queries beside a stream of small ones, test/e2e/
// embedded-batches.e2e.test.ts). The fix here: a connection's bytes reach pglite-socket only in
// whole batches (up to a message the client then waits after: Sync, Query, Flush, Terminate, a
// password, COPY data), so one batch runs before any other connection's, as PGlite runs a batch
// without giving the event loop away.

/** The StartupMessage's protocol code (3.0); SSLRequest and CancelRequest use their own. */
const PROTOCOL_3 = 196608;
const SSL_REQUEST = 80877103;
const CANCEL_REQUEST = 80877102;
const GSS_REQUEST = 80877104;

/** Message types a client sends and then waits for the server: the end of a batch. */
const BATCH_ENDS = new Set(['S', 'Q', 'H', 'X', 'p', 'd', 'c', 'f'].map((c) => c.charCodeAt(0)));

/** How far a connection's buffered bytes can be handed on, and whether startup is over. */
export interface BatchCut {
  /** Bytes from the start of the buffer that form whole batches (or untyped startup packets). */
  length: number;
  started: boolean;
  /**
   * The buffer length (from the same start) below which looking again cannot find more: the end
   * of the message cut short when its header is in, else the end of its header. A large query
   * arriving in many chunks is then gathered and scanned once, not once per chunk.
   */
  next: number;
}

/**
 * The longest prefix of `buf` that holds only whole batches. Before startup the client sends
 * untyped packets (SSLRequest, GSSENCRequest, CancelRequest, StartupMessage: length, then code);
 * after the StartupMessage every message is typed (a type byte, then its length).
 */
export function wholeBatches(buf: Uint8Array, started: boolean): BatchCut {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 0;
  let cut = 0;
  let inStartup = !started;
  while (inStartup) {
    if (buf.length - pos < 8) return { length: cut, started: false, next: pos + 8 };
    const len = view.getInt32(pos);
    const code = view.getInt32(pos + 4);
    if (len < 8) return { length: cut, started: false, next: pos + 8 };
    if (buf.length - pos < len) return { length: cut, started: false, next: pos + len };
    pos += len;
    cut = pos;
    if (code === PROTOCOL_3) inStartup = false;
    else if (code !== SSL_REQUEST && code !== CANCEL_REQUEST && code !== GSS_REQUEST)
      // Not a packet of the startup phase: leave it to pglite-socket as it comes.
      return { length: buf.length, started: true, next: buf.length + 1 };
  }
  let next = pos + 5;
  while (buf.length - pos >= 5) {
    const len = view.getInt32(pos + 1);
    if (len < 4) break;
    if (buf.length - pos - 1 < len) {
      next = pos + 1 + len;
      break;
    }
    const type = buf[pos];
    pos += 1 + len;
    next = pos + 5;
    if (BATCH_ENDS.has(type)) cut = pos;
  }
  return { length: cut, started: true, next };
}

interface FramedHandler {
  handleData(data: Buffer): Promise<number>;
  /** Bytes received and not yet handed on, and how many there must be before looking again. */
  batchChunks?: Buffer[];
  batchBytes?: number;
  batchNeed?: number;
  batchStarted?: boolean;
  batchChain?: Promise<unknown>;
}

const INSTALLED = Symbol.for('crashkb.pglite-batches');

/**
 * Wraps the handler class's data entry point (its prototype, once per process) so that each
 * connection's bytes are handed on in whole batches, one batch at a time.
 */
export function frameWholeBatches(handlerClass: { prototype: object }): void {
  const proto = handlerClass.prototype as FramedHandler & { [INSTALLED]?: true };
  if (proto[INSTALLED]) return;
  const original = proto.handleData;
  if (typeof original !== 'function')
    throw new Error(
      'pglite-socket changed: PGLiteSocketHandler.handleData is gone (src/db/pglite-batches.ts)',
    );
  proto[INSTALLED] = true;
  proto.handleData = function (this: FramedHandler, data: Buffer): Promise<number> {
    const chunks = (this.batchChunks ??= []);
    chunks.push(data);
    this.batchBytes = (this.batchBytes ?? 0) + data.length;
    if (this.batchBytes < (this.batchNeed ?? 0)) return Promise.resolve(0);
    const pending = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, this.batchBytes);
    const cut = wholeBatches(pending, this.batchStarted ?? false);
    this.batchStarted = cut.started;
    const rest = pending.subarray(cut.length);
    this.batchChunks = rest.length > 0 ? [rest] : [];
    this.batchBytes = rest.length;
    this.batchNeed = cut.next - cut.length;
    if (cut.length === 0) return Promise.resolve(0);
    const batch = pending.subarray(0, cut.length);
    // One batch at a time per connection, in order (data events are dispatched by setImmediate).
    const run = (this.batchChain ?? Promise.resolve()).then(() => original.call(this, batch));
    this.batchChain = run.catch(() => undefined);
    return run;
  };
}
