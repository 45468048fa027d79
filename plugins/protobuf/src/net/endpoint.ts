import { z } from 'zod';

/** Heka's `net` option: the socket family of an address. */
export const NETS = ['tcp', 'tcp4', 'tcp6', 'unix'] as const;

/** One of {@link NETS}. */
export type Net = (typeof NETS)[number];

/** Where a socket listens or connects: a host and port, or a Unix socket path. */
export type Endpoint =
  | {
      readonly kind: 'tcp';
      readonly host: string;
      readonly port: number;
      readonly family: 0 | 4 | 6;
    }
  | { readonly kind: 'unix'; readonly path: string };

const HOST_PORT = /^(?:\[([^\]]*)\]|([^:]*)):(\d{1,5})$/;

/**
 * Parses Go-style `host:port` (`[::1]:5565`, `:5565` for every interface) or, with `net = "unix"`,
 * a socket path.
 * @returns the endpoint, or a message saying what is wrong.
 */
export function parseEndpoint(address: string, net: Net): Endpoint | string {
  if (net === 'unix')
    return address === '' ? 'a unix address is a socket path' : { kind: 'unix', path: address };
  const m = HOST_PORT.exec(address);
  const port = m === null ? NaN : Number(m[3]);
  if (m === null || port > 65535)
    return `expected "host:port" (e.g. "127.0.0.1:5565"), got "${address}"`;
  return {
    kind: 'tcp',
    host: m[1] ?? m[2]!,
    port,
    family: net === 'tcp4' ? 4 : net === 'tcp6' ? 6 : 0,
  };
}

/** A zod check that `address` parses for the section's `net`. */
export function checkAddress(o: { address: string; net: Net }, ctx: z.RefinementCtx): void {
  const parsed = parseEndpoint(o.address, o.net);
  if (typeof parsed === 'string')
    ctx.addIssue({ code: 'custom', path: ['address'], message: parsed });
}

/** The endpoint of options already checked by {@link checkAddress}. */
export function endpointOf(o: { address: string; net: Net }): Endpoint {
  return parseEndpoint(o.address, o.net) as Endpoint;
}

/** `host:port` or the path, for logs. */
export function describeEndpoint(e: Endpoint): string {
  return e.kind === 'unix' ? e.path : `${e.host.includes(':') ? `[${e.host}]` : e.host}:${e.port}`;
}
