import net, { type Socket } from 'node:net';
import tls from 'node:tls';
import {
  defineOutput,
  duration,
  errorMessage,
  RecordPacker,
  RetryableError,
  type BatchPolicy,
  type Output,
  type OutputBatch,
  type OutputRunner,
  type PluginContext,
} from '@hekate/core';
import { z } from 'zod';
import {
  checkAddress,
  describeEndpoint,
  endpointOf,
  NETS,
  parseEndpoint,
  type Endpoint,
} from '../net/endpoint.js';
import { checkTls, clientTlsOptions, tlsSchema } from '../net/tls-options.js';

const options = z
  .object({
    /** Where to connect: `host:port`, or a path with `net = "unix"`. */
    address: z.string().default('localhost:9125'),
    net: z.enum(NETS).default('tcp'),
    /** Local `host:port` to connect from (port 0: any). */
    local_address: z.string().optional(),
    use_tls: z.boolean().default(false),
    tls: tlsSchema.default(tlsSchema.parse({})),
    keep_alive: z.boolean().default(false),
    /** Seconds (or a duration such as "2h") between keep-alive probes. */
    keep_alive_period: duration('s').default(7_200_000),
    /** Reconnect after this many messages (0: never), to spread load behind a balancer. */
    reconnect_after: z.number().int().min(0).default(0),
    /** Give up a connection attempt (and retry with backoff) after this long. */
    connect_timeout: duration().default(10_000),
    /** Most messages written with one system call. */
    flush_count: z.number().int().min(1).default(1000),
    /** Longest wait for a batch to fill; 0 writes what is queued at once. */
    flush_interval: duration().default(0),
  })
  .strict()
  .superRefine((o, ctx) => {
    checkAddress(o, ctx);
    checkTls(o.use_tls, o.tls, false, ctx);
    const local = o.local_address === undefined ? undefined : parseEndpoint(o.local_address, 'tcp');
    if (typeof local === 'string')
      ctx.addIssue({ code: 'custom', path: ['local_address'], message: local });
  });

type TcpOutputOptions = z.output<typeof options>;

/** Largest batch in bytes. */
const MAX_BATCH_BYTES = 4 * 1024 * 1024;
/** How long a clean close waits for the peer before dropping the connection. */
const CLOSE_WAIT_MS = 2000;

function writeAll(socket: Socket, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.write(data, (error) => (error ? reject(error) : resolve()));
  });
}

class TcpOutputImpl implements Output {
  readonly batching: Partial<BatchPolicy>;
  readonly #o: TcpOutputOptions;
  readonly #ctx: PluginContext;
  readonly #endpoint: Endpoint;
  readonly #packer = new RecordPacker('TcpOutput', 'ProtobufEncoder');
  #socket: Socket | undefined;
  /** Messages written on the current connection, for `reconnect_after`. */
  #sent = 0;

  constructor(o: TcpOutputOptions, ctx: PluginContext) {
    this.#o = o;
    this.#ctx = ctx;
    this.#endpoint = endpointOf(o);
    this.batching = {
      maxMessages: o.flush_count,
      maxBytes: MAX_BATCH_BYTES,
      lingerMs: o.flush_interval,
    };
  }

  async write(batch: OutputBatch, runner: OutputRunner): Promise<void> {
    // The socket is done with the packed bytes when writeAll resolves, before the next batch.
    const data = this.#packer.pack(batch);
    const socket = await this.#connected(runner);
    try {
      // Resolves once the socket handed every byte to the kernel: only then is the batch
      // acknowledged.
      await writeAll(socket, data);
    } catch (error) {
      socket.destroy();
      throw new RetryableError(
        `TcpOutput could not write to ${describeEndpoint(this.#endpoint)}: ${errorMessage(error)}`,
        { cause: error },
      );
    }
    runner.counters.add('bytes_written', data.length);
    this.#sent += batch.messages.length;
    if (this.#o.reconnect_after > 0 && this.#sent >= this.#o.reconnect_after) {
      await this.#disconnect();
    }
  }

  async close(): Promise<void> {
    await this.#disconnect();
  }

  /**
   * The open connection, or a new one. Connecting lazily, at the first write, lets a disk queue
   * (`use_buffering`) take messages while the peer is away at startup.
   */
  async #connected(runner: OutputRunner): Promise<Socket> {
    const current = this.#socket;
    if (current !== undefined && !current.destroyed && current.writable) return current;
    this.#socket = undefined;
    const socket = await this.#connect();
    socket.on('error', (error) =>
      runner.logger.debug('Connection failed.', { error: errorMessage(error) }),
    );
    socket.on('close', () => {
      if (this.#socket === socket) this.#socket = undefined;
    });
    // A Heka peer sends nothing back; whatever arrives is read and dropped.
    socket.resume();
    if (this.#o.keep_alive) socket.setKeepAlive(true, this.#o.keep_alive_period);
    this.#socket = socket;
    this.#sent = 0;
    runner.counters.add('connections');
    runner.logger.info('Connected.', {
      address: describeEndpoint(this.#endpoint),
      tls: this.#o.use_tls,
    });
    return socket;
  }

  async #connect(): Promise<Socket> {
    const o = this.#o;
    const e = this.#endpoint;
    const target =
      e.kind === 'unix'
        ? { path: e.path }
        : { host: e.host === '' ? 'localhost' : e.host, port: e.port, family: e.family };
    const local =
      o.local_address === undefined || e.kind === 'unix' ? {} : localOptions(o.local_address);
    const secure = o.use_tls
      ? await clientTlsOptions(o.tls, this.#ctx.configDir, e.kind === 'unix' ? '' : target.host!)
      : undefined;
    return new Promise((resolve, reject) => {
      const socket =
        secure === undefined
          ? net.connect({ ...target, ...local })
          : tls.connect({ ...target, ...local, ...secure });
      const fail = (error: Error) => {
        socket.destroy();
        reject(
          new RetryableError(
            `TcpOutput could not connect to ${describeEndpoint(e)}: ${errorMessage(error)}`,
            { cause: error },
          ),
        );
      };
      socket.setTimeout(o.connect_timeout, () =>
        fail(new Error(`no connection after ${o.connect_timeout} ms`)),
      );
      socket.once('error', fail);
      socket.once(secure === undefined ? 'connect' : 'secureConnect', () => {
        socket.setTimeout(0);
        socket.off('error', fail);
        resolve(socket);
      });
    });
  }

  async #disconnect(): Promise<void> {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket === undefined || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => socket.destroy(), CLOSE_WAIT_MS);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }
}

function localOptions(address: string): { localAddress: string; localPort?: number } {
  const local = parseEndpoint(address, 'tcp') as Endpoint & { kind: 'tcp' };
  return local.port === 0
    ? { localAddress: local.host }
    : { localAddress: local.host, localPort: local.port };
}

/**
 * TcpOutput: writes encoded messages to a TCP (or TLS) peer — ProtobufEncoder with Heka framing
 * by default, which is what Heka's TcpInput reads. A batch is acknowledged only after the socket
 * has handed all its bytes to the kernel; connect and write failures are retried with backoff
 * (`[x.retries]`) on a new connection. For buffering across peer outages and restarts, set
 * `use_buffering = true` (a disk queue in front of the output; Heka's TcpOutput default).
 *
 * @example
 * [to_aggregator]
 * type = "TcpOutput"
 * message_matcher = "TRUE"
 * address = "aggregator.internal:5565"
 * use_buffering = true
 */
export const TcpOutput = defineOutput({
  type: 'TcpOutput',
  summary: "Sends messages over TCP or TLS, as Heka's framed protobuf by default.",
  options,
  commonDefaults: { encoder: 'ProtobufEncoder', use_framing: true },
  create: (o, ctx) => new TcpOutputImpl(o, ctx),
});
