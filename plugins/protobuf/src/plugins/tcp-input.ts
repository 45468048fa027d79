import net, { type Server, type Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import {
  defineInput,
  duration,
  errorMessage,
  type Input,
  type InputRunner,
  type PluginContext,
  type SplitRecord,
} from '@hekate/core';
import { z } from 'zod';
import {
  checkAddress,
  describeEndpoint,
  endpointOf,
  NETS,
  type Endpoint,
} from '../net/endpoint.js';
import { checkTls, refuseClient, serverTlsOptions, tlsSchema } from '../net/tls-options.js';

const options = z
  .object({
    /**
     * Where to listen: `host:port` (`:5565` for every interface), or a path with `net = "unix"`.
     */
    address: z.string().default('127.0.0.1:5565'),
    net: z.enum(NETS).default('tcp'),
    use_tls: z.boolean().default(false),
    tls: tlsSchema.default(tlsSchema.parse({})),
    keep_alive: z.boolean().default(false),
    /** Seconds (or a duration such as "2h") between keep-alive probes. */
    keep_alive_period: duration('s').default(7_200_000),
  })
  .strict()
  .superRefine((o, ctx) => {
    checkAddress(o, ctx);
    checkTls(o.use_tls, o.tls, true, ctx);
  });

type TcpInputOptions = z.output<typeof options>;

/** The Type of messages whose decoder does not set one (Heka's TcpInput pack decorator). */
const MESSAGE_TYPE = 'heka.tcpinput';

/** The host to listen on for an empty one (`:5565`): every interface of the family. */
const ANY_HOST = { 0: undefined, 4: '0.0.0.0', 6: '::' } as const;

function listen(server: Server, endpoint: Endpoint): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    const done = () => {
      server.off('error', reject);
      resolve();
    };
    if (endpoint.kind === 'unix') server.listen(endpoint.path, done);
    else
      server.listen(
        {
          port: endpoint.port,
          host: endpoint.host === '' ? ANY_HOST[endpoint.family] : endpoint.host,
        },
        done,
      );
  });
}

class TcpInputImpl implements Input {
  readonly #o: TcpInputOptions;
  readonly #ctx: PluginContext;

  constructor(o: TcpInputOptions, ctx: PluginContext) {
    this.#o = o;
    this.#ctx = ctx;
  }

  async run(runner: InputRunner): Promise<void> {
    const o = this.#o;
    const server = o.use_tls
      ? tls.createServer(await serverTlsOptions(o.tls, this.#ctx.configDir))
      : net.createServer();
    const sockets = new Set<Socket>();
    const served = new Set<Promise<void>>();
    server.on(o.use_tls ? 'secureConnection' : 'connection', (socket: Socket) => {
      sockets.add(socket);
      const done = this.#serve(socket, runner).finally(() => {
        sockets.delete(socket);
        served.delete(done);
      });
      served.add(done);
    });
    server.on('tlsClientError', (error: Error) => {
      runner.counters.add('tls_failures');
      runner.logger.warn('TLS handshake failed.', { error: errorMessage(error) });
    });
    const endpoint = endpointOf(o);
    await listen(server, endpoint);
    runner.logger.info('Listening.', { address: describeEndpoint(endpoint), tls: o.use_tls });
    // Runs until stopped, or until the listener fails (the input is then restarted with backoff).
    let failure: Error | undefined;
    await new Promise<void>((resolve) => {
      if (runner.signal.aborted) resolve();
      runner.signal.addEventListener('abort', () => resolve(), { once: true });
      server.on('error', (error) => {
        failure ??= error;
        resolve();
      });
    });
    server.close();
    for (const socket of sockets) socket.destroy();
    await Promise.all(served);
    if (failure !== undefined) throw failure;
  }

  /** Reads one connection through its own splitter until it ends, delivering with backpressure. */
  async #serve(socket: Socket, runner: InputRunner): Promise<void> {
    const peer = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}`;
    runner.counters.add('connections');
    const refusal = this.#o.use_tls ? refuseClient(this.#o.tls, socket as TLSSocket) : undefined;
    if (refusal !== undefined) {
      runner.counters.add('tls_failures');
      runner.logger.warn('Client refused.', { peer, reason: refusal });
      socket.destroy();
      return;
    }
    if (this.#o.keep_alive) socket.setKeepAlive(true, this.#o.keep_alive_period);
    const stream = runner.splitter();
    try {
      // Async iteration reads the next chunk only after the previous batch was delivered: a
      // congested pipeline stops reading, and TCP pushes back on the sender.
      for await (const chunk of socket as AsyncIterable<Buffer>)
        await this.#deliver(runner, stream.push(chunk), peer);
      await this.#deliver(runner, stream.end(), peer);
    } catch (error) {
      if (!runner.signal.aborted) {
        runner.counters.add('connection_errors');
        runner.logger.debug('Connection failed.', { peer, error: errorMessage(error) });
      }
    }
  }

  async #deliver(runner: InputRunner, records: SplitRecord[], peer: string): Promise<void> {
    if (records.length === 0) return;
    const messages = records.map((record) => {
      const message = runner.createMessage(record);
      message.hostname = peer;
      message.type = MESSAGE_TYPE;
      return message;
    });
    await runner.deliver(messages);
  }
}

/**
 * TcpInput: listens for TCP (or TLS) connections and reads each through its own splitter —
 * HekaFramingSplitter and ProtobufDecoder by default, so Heka's TcpOutput, heka-inject or
 * heka-flood can send to it unchanged. Each chunk read is delivered as one batch and the socket
 * is read again only once the pipeline has room. Messages get Type `heka.tcpinput` and Hostname
 * `<peer ip>:<port>` unless the decoder sets them (ProtobufDecoder sets every header).
 *
 * Like Heka's, the protocol has no acknowledgement: a sender considers a message delivered once
 * its kernel took the bytes, so what is in this input's socket buffers or not yet delivered when
 * the process dies is lost. After `deliver`, messages are as safe as the outputs that matched
 * them (durable with FileOutput's fsync or `use_buffering`).
 *
 * @example
 * [heka_in]
 * type = "TcpInput"
 * address = "0.0.0.0:5565"
 */
export const TcpInput = defineInput({
  type: 'TcpInput',
  summary: "Receives messages over TCP or TLS, in Heka's framed protobuf protocol by default.",
  options,
  commonDefaults: { splitter: 'HekaFramingSplitter', decoder: 'ProtobufDecoder' },
  create: (o, ctx) => new TcpInputImpl(o, ctx),
});
