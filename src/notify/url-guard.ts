// Subscriptions must not turn the service into a proxy into its own network (SSRF): a URL
// whose host resolves to a loopback, private, link-local or otherwise non-public address is
// refused unless CRASHKB_ALLOW_PRIVATE_URLS=1. The check runs when the subscription is
// created and again inside every connection's DNS lookup, so a name that later resolves
// elsewhere (DNS rebinding) is caught at the moment of connecting.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

const blocked = new BlockList();
for (const [net, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8],
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8],
  ['169.254.0.0', 16], // link-local (cloud metadata lives here)
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv4');
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const) {
  blocked.addSubnet(net, prefix, 'ipv6');
}

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 4) return blocked.check(address, 'ipv4');
  if (family === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
    if (mapped) return blocked.check(mapped[1], 'ipv4');
    return blocked.check(address, 'ipv6');
  }
  return true; // not an address at all: refuse rather than guess
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

function resolveAll(host: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(host, { all: true, verbatim: true }, (err, addresses) =>
      err ? reject(err) : resolve(addresses),
    ),
  );
}

/** Checks a subscription URL: http(s), no credentials, a host that resolves only to public addresses. */
export async function checkSubscriptionUrl(raw: string, allowPrivate: boolean): Promise<UrlCheck> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'url: not a valid URL' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return { ok: false, reason: 'url: must be http:// or https://' };
  }
  if (url.username || url.password)
    return { ok: false, reason: 'url: must not carry a user name or password' };
  if (allowPrivate) return { ok: true, url };
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = (await resolveAll(host)).map((a) => a.address);
    } catch (err) {
      return {
        ok: false,
        reason: `url: host ${host} does not resolve (${(err as NodeJS.ErrnoException).code})`,
      };
    }
  }
  const bad = addresses.find(isPrivateAddress);
  if (bad !== undefined) {
    return {
      ok: false,
      reason: `url: ${host} is a loopback, private or link-local address (${bad}); set CRASHKB_ALLOW_PRIVATE_URLS=1 to allow it`,
    };
  }
  return { ok: true, url };
}

/** A DNS lookup for http.request that refuses private addresses at connection time. */
export function guardedLookup(allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return (callback as (e: Error) => void)(err);
      const list = addresses ?? [];
      if (!allowPrivate) {
        const bad = list.find((a) => isPrivateAddress(a.address));
        if (bad) {
          return (callback as (e: Error) => void)(
            Object.assign(new Error(`refused: ${hostname} resolves to a private address (${bad.address})`), {
              code: 'EPRIVATEADDRESS',
            }),
          );
        }
      }
      if ((options as { all?: boolean }).all)
        return (callback as (e: null, a: LookupAddress[]) => void)(null, list);
      const first = list[0];
      if (!first) return (callback as (e: Error) => void)(new Error(`no address for ${hostname}`));
      return (callback as (e: null, a: string, f: number) => void)(null, first.address, first.family);
    });
  };
}
