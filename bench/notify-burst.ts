// A burst of dumps of one known bug with and without a dump.matched subscription: what the
// outbox triggers cost the submit path, how long the fan-out of the burst takes, and how many
// notifications the receiver gets (coalescing). Build: `npx tsc -p tsconfig.json`; run:
// `node dist/bench/notify-burst.js [--dumps 2000]`. The service runs in this process on the
// embedded database (memory://); dumps are sent one at a time over HTTP (keep-alive), as one
// collector would; the receiver is a local HTTP server.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createApp } from '../src/app.factory';
import { NotifyWorker } from '../src/notify/notify-worker.service';
import { kasanUseAfterFree } from '../test/support/dumps';

const ADMIN = 'bench-admin-key-0123456789';
const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(name);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const bug = (variant: number) =>
  kasanUseAfterFree({
    frames: ['zz_widget_release', 'zz_widget_poll', 'zz_widget_work'],
    freeFrames: ['zz_widget_destroy'],
    allocFrames: ['zz_widget_new'],
    cache: 'kmalloc-192',
    size: 192,
    variant,
  });

async function main() {
  const n = arg('--dumps', 2000);
  const received: { at: number; count: number }[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({ at: Date.now(), count: JSON.parse(body).data.count });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  const svc = await createApp({
    CRASHKB_DATA_DIR: 'memory://',
    CRASHKB_SEED: '0',
    CRASHKB_ADMIN_KEY: ADMIN,
    CRASHKB_ALLOW_PRIVATE_URLS: '1',
    CRASHKB_RATE_LIMIT: '0',
    LOG_LEVEL: 'warn',
  });
  await svc.app.listen(0, '127.0.0.1');
  const base = `http://127.0.0.1:${(svc.app.getHttpServer().address() as AddressInfo).port}`;
  const post = (path: string, body: string, type = 'application/json') =>
    fetch(base + path, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN}`, 'content-type': type },
      body,
    }).then(async (r) => ({ status: r.status, json: (await r.json()) as any })); // eslint-disable-line @typescript-eslint/no-explicit-any
  await post('/api/v1/signatures/from-dump', JSON.stringify({ content: bug(0), title: 'zz widget uaf' }));

  const burst = async (from: number) => {
    const t0 = performance.now();
    for (let v = from; v < from + n; v++) {
      const r = await post('/api/v1/dumps', bug(v), 'text/plain');
      if (r.status !== 201 || !r.json.matches[0]) throw new Error(`dump ${v}: ${r.status}`);
    }
    return (performance.now() - t0) / 1000;
  };
  const withoutSub = await burst(1);
  const sub = await post(
    '/api/v1/subscriptions',
    JSON.stringify({
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`,
      secret: 'bench-secret-0123456789',
      events: ['dump.matched'],
    }),
  );
  if (sub.status !== 201) throw new Error(JSON.stringify(sub.json));
  const withSub = await burst(1 + n);
  const t0 = performance.now();
  await svc.app.get(NotifyWorker).drain();
  const drainS = (performance.now() - t0) / 1000;
  const deliveries = await fetch(`${base}/api/v1/subscriptions/${sub.json.id}/deliveries`, {
    headers: { authorization: `Bearer ${ADMIN}` },
  }).then((r) => r.json() as Promise<{ items: { status: string; count: number }[] }>);
  const pending = deliveries.items.filter((d: { status: string }) => d.status === 'pending');
  console.log(
    JSON.stringify(
      {
        dumps: n,
        submitPerSecondWithoutSubscription: Math.round(n / withoutSub),
        submitPerSecondWithSubscription: Math.round(n / withSub),
        drainAfterBurstSeconds: Number(drainS.toFixed(2)),
        notificationsReceivedDuringBurst: received.length,
        deliveryRows: deliveries.items.length,
        coalescedPendingCount: pending.map((d: { count: number }) => d.count),
      },
      null,
      2,
    ),
  );
  await svc.close();
  receiver.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
