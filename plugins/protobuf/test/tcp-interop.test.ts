// A Hekate node and Heka-protocol peers exchange messages in both directions: a hand-written Heka
// sender (node:net, hand-encoded Heka protobuf in Heka framing) into TcpInput, TcpOutput into a
// hand-written Heka receiver that parses the frames with protobufjs and Heka's message.proto, a
// relay that passes Heka's bytes through untouched, and Hekate to Hekate over TLS.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import net, { type AddressInfo, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { createMessage, Pipeline, silentLogger, type Message } from '@hekate/core';
import { hekaTypes, plugins } from '../src/index.js';
import { snapshot } from './support/arbitraries.js';
import { framed, lfield, varint, vfield } from './support/proto-bytes.js';

const FIXTURES = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
const WORK = mkdtempSync(path.join(tmpdir(), 'hekate-tcp-'));
const running: Pipeline[] = [];
after(async () => {
  for (const p of running) await p.stop();
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

async function start(toml: string): Promise<Pipeline> {
  const pipeline = await Pipeline.fromToml(toml, {
    plugins,
    logger: silentLogger,
    configDir: WORK,
  });
  running.push(pipeline);
  await pipeline.start();
  return pipeline;
}

function capture(pipeline: Pipeline, matcher = 'TRUE'): Message[] {
  const seen: Message[] = [];
  pipeline.subscribe(matcher, (m) => seen.push(m));
  return seen;
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A Heka sender: connects (retrying while the listener starts) and writes in small pieces. */
async function hekaSend(port: number, stream: Uint8Array, piece = 7): Promise<void> {
  let socket: Socket | undefined;
  for (let attempt = 0; socket === undefined; attempt++) {
    try {
      socket = await new Promise<Socket>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    } catch (error) {
      if (attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  for (let at = 0; at < stream.length; at += piece) {
    await new Promise<void>((resolve, reject) =>
      socket.write(stream.subarray(at, at + piece), (e) => (e ? reject(e) : resolve())),
    );
  }
  await new Promise<void>((resolve) => socket.end(resolve));
}

/** A Heka receiver: parses Heka framing itself and hands each message's bytes to `received`. */
async function hekaReceiver(
  port: number,
  received: Buffer[],
): Promise<{ server: Server; connections: Set<Socket>; close(): void }> {
  const { Header } = hekaTypes();
  const connections = new Set<Socket>();
  const server = net.createServer((socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      while (buf.length >= 2 && buf.length >= buf[1]! + 3) {
        assert.equal(buf[0], 0x1e);
        const headerEnd = 2 + buf[1]!;
        assert.equal(buf[headerEnd], 0x1f);
        const { message_length: length } = Header.decode(buf.subarray(2, headerEnd)) as unknown as {
          message_length: number;
        };
        if (buf.length < headerEnd + 1 + length) break;
        received.push(Buffer.from(buf.subarray(headerEnd + 1, headerEnd + 1 + length)));
        buf = buf.subarray(headerEnd + 1 + length);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    server,
    connections,
    close() {
      server.close();
      for (const socket of connections) socket.destroy();
    },
  };
}

const packed = (values: (number | bigint)[]) => values.flatMap((v) => varint(v));
const doubles = (values: number[]) => [...Buffer.from(new Float64Array(values).buffer)];
const field = (name: string, type: number, representation: string, values: number[]) =>
  lfield(10, [...lfield(1, name), ...vfield(2, type), ...lfield(3, representation), ...values]);

/** What a Heka node sends: every header, every value type, arrays, a repeated name, a representation. */
const HEKA_MESSAGE = Buffer.from([
  ...lfield(1, Buffer.from('6a2b9f4e1c7d4e0f8a3b5c6d7e8f9a0b', 'hex')),
  ...vfield(2, 1700000000123456789n),
  ...lfield(3, 'web.request'),
  ...lfield(4, 'nginx'),
  ...vfield(5, 4),
  ...lfield(6, 'GET /index.html 200'),
  ...lfield(7, '1.1'),
  ...vfield(8, 31337),
  ...lfield(9, 'web-7'),
  ...field('status', 2, '', lfield(6, packed([200]))),
  ...field('ResponseSize', 2, 'B', lfield(6, packed([1234, 2n ** 53n + 1n, -5]))),
  ...field('latency', 3, 's', lfield(7, doubles([0.25, 1.5]))),
  ...field('cached', 4, '', lfield(8, [1, 0])),
  ...field('tag', 0, '', [...lfield(4, 'a'), ...lfield(4, 'b')]),
  ...field('tag', 0, '', lfield(4, 'ünïcode')),
  ...field('blob', 1, '', lfield(5, [0, 255, 1])),
]);

const EXPECTED = {
  uuid: '6a2b9f4e-1c7d-4e0f-8a3b-5c6d7e8f9a0b',
  timestamp: 1700000000123456789n,
  type: 'web.request',
  logger: 'nginx',
  severity: 4,
  payload: 'GET /index.html 200',
  envVersion: '1.1',
  pid: 31337,
  hostname: 'web-7',
  fields: [
    { name: 'status', type: 'integer', values: [200], representation: '' },
    {
      name: 'ResponseSize',
      type: 'integer',
      values: [1234, 2n ** 53n + 1n, -5],
      representation: 'B',
    },
    { name: 'latency', type: 'double', values: [0.25, 1.5], representation: 's' },
    { name: 'cached', type: 'bool', values: [true, false], representation: '' },
    { name: 'tag', type: 'string', values: ['a', 'b'], representation: '' },
    { name: 'tag', type: 'string', values: ['ünïcode'], representation: '' },
    { name: 'blob', type: 'bytes', values: [[0, 255, 1]], representation: '' },
  ],
};

test('Heka peer → TcpInput: every header and field arrives as the Heka node sent it', async () => {
  const port = await freePort();
  const pipeline = await start(`
    [heka_in]
    type = "TcpInput"
    address = "127.0.0.1:${port}"
  `);
  const seen = capture(pipeline);
  await hekaSend(
    port,
    Buffer.concat([
      framed([...vfield(1, HEKA_MESSAGE.length)], HEKA_MESSAGE),
      Buffer.from('noise'),
      framed([...vfield(1, HEKA_MESSAGE.length)], HEKA_MESSAGE),
    ]),
  );
  await until(() => seen.length === 2, 'two messages');
  for (const m of seen) assert.deepEqual(snapshot(m), EXPECTED);
  assert.equal(pipeline.stats().plugins.HekaFramingSplitter!.counters.bytes_skipped, 5);
});

test('TcpOutput → Heka peer: Heka reads every header and field, and the batch is acknowledged after the write', async () => {
  const port = await freePort();
  const pipeline = await start(`
    [to_heka]
    type = "TcpOutput"
    message_matcher = "Type == 'outbound'"
    address = "127.0.0.1:${port}"
    [to_heka.retries]
    delay = "20ms"
    max_delay = "50ms"
    max_jitter = "1ms"
  `);
  const message = createMessage({
    uuid: '0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9',
    timestamp: 1700000000999999999n,
    type: 'outbound',
    logger: 'hekate',
    severity: 2,
    payload: 'über',
    envVersion: '0.1',
    pid: 77,
    hostname: 'h1',
    fields: [
      { name: 'n', value: [1, -2, 2n ** 62n] },
      { name: 'd', value: [0.5, -1e300] },
      { name: 'b', value: [true] },
      { name: 's', value: ['x', 'y'], representation: 'ids' },
      { name: 's', value: 'z' },
      { name: 'raw', value: new Uint8Array([9, 8]) },
    ],
  });
  // The peer is down: the message is retried, not acknowledged.
  let acknowledged = false;
  const delivery = pipeline.inject(message).then(() => (acknowledged = true));
  await new Promise((resolve) => setTimeout(resolve, 200));
  assert.equal(acknowledged, false);
  const received: Buffer[] = [];
  const peer = await hekaReceiver(port, received);
  await delivery;
  await until(() => received.length === 1, 'the frame');
  const { Message: HekaMessage } = hekaTypes();
  const heka = HekaMessage.toObject(HekaMessage.decode(received[0]!), {
    longs: String,
    enums: String,
    bytes: Array,
  }) as Record<string, unknown>;
  assert.deepEqual(heka, {
    uuid: [...Buffer.from('0f1e2d3c4b5a49788695a4b3c2d1e0f9', 'hex')],
    timestamp: '1700000000999999999',
    type: 'outbound',
    logger: 'hekate',
    severity: 2,
    payload: 'über',
    env_version: '0.1',
    pid: 77,
    hostname: 'h1',
    fields: [
      {
        name: 'n',
        value_type: 'INTEGER',
        representation: '',
        value_integer: ['1', '-2', (2n ** 62n).toString()],
      },
      { name: 'd', value_type: 'DOUBLE', representation: '', value_double: [0.5, -1e300] },
      { name: 'b', value_type: 'BOOL', representation: '', value_bool: [true] },
      { name: 's', value_type: 'STRING', representation: 'ids', value_string: ['x', 'y'] },
      { name: 's', value_type: 'STRING', representation: '', value_string: ['z'] },
      { name: 'raw', value_type: 'BYTES', representation: '', value_bytes: [[9, 8]] },
    ],
  });
  peer.close();
});

test("relay: Heka → TcpInput → TcpOutput → Heka passes Heka's message bytes through unchanged", async () => {
  const [inPort, outPort] = [await freePort(), await freePort()];
  const received: Buffer[] = [];
  const peer = await hekaReceiver(outPort, received);
  await start(`
    [heka_in]
    type = "TcpInput"
    address = "127.0.0.1:${inPort}"
    [heka_out]
    type = "TcpOutput"
    message_matcher = "Fields[status] == 200"
    address = "127.0.0.1:${outPort}"
  `);
  await hekaSend(inPort, framed([...vfield(1, HEKA_MESSAGE.length)], HEKA_MESSAGE), 1000);
  await until(() => received.length === 1, 'the relayed message');
  assert.deepEqual(received[0], HEKA_MESSAGE);
  peer.close();
});

test('TcpOutput reconnects after the peer restarts, and after reconnect_after messages', async () => {
  const port = await freePort();
  const received: Buffer[] = [];
  let peer = await hekaReceiver(port, received);
  const pipeline = await start(`
    [to_heka]
    type = "TcpOutput"
    message_matcher = "TRUE"
    address = "127.0.0.1:${port}"
    reconnect_after = 2
    [to_heka.retries]
    delay = "20ms"
    max_jitter = "1ms"
  `);
  const send = (payload: string) => pipeline.inject(createMessage({ payload }));
  for (const p of ['1', '2', '3']) await send(p);
  await until(() => received.length === 3, 'three messages');
  assert.equal(pipeline.stats().plugins.to_heka!.counters.connections, 2);
  // The peer goes away; once the output has noticed, a message waits for the peer to return.
  peer.close();
  await until(() => peer.connections.size === 0, 'the peer to close');
  await new Promise((resolve) => setTimeout(resolve, 100));
  let acknowledged = false;
  const delivery = send('4').then(() => (acknowledged = true));
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(acknowledged, false);
  peer = await hekaReceiver(port, received);
  await delivery;
  await until(() => received.length === 4, 'the fourth message');
  const { Message: HekaMessage } = hekaTypes();
  assert.deepEqual(
    received.map((b) => (HekaMessage.decode(b) as unknown as { payload: string }).payload),
    ['1', '2', '3', '4'],
  );
  peer.close();
});

test('TcpOutput with use_buffering: acknowledged once on disk, delivered when the peer comes up', async () => {
  const port = await freePort();
  const pipeline = await start(`
    [buffered]
    type = "TcpOutput"
    message_matcher = "Type == 'buffered'"
    address = "127.0.0.1:${port}"
    use_buffering = true
    [buffered.retries]
    delay = "20ms"
    max_jitter = "1ms"
  `);
  // The peer is down, yet the messages are acknowledged: they are in the output's disk queue.
  await pipeline.inject(['a', 'b'].map((payload) => createMessage({ type: 'buffered', payload })));
  const received: Buffer[] = [];
  const peer = await hekaReceiver(port, received);
  await until(() => received.length === 2, 'the queued messages');
  const { Message: HekaMessage } = hekaTypes();
  const payloads = received.map(
    (b) => (HekaMessage.decode(b) as unknown as { payload: string }).payload,
  );
  assert.deepEqual(payloads, ['a', 'b']);
  peer.close();
});

test('TcpInput refuses a TLS client without a certificate under RequireAnyClientCert', async () => {
  const port = await freePort();
  const receiver = await start(`
    [mtls_in]
    type = "TcpInput"
    address = "127.0.0.1:${port}"
    use_tls = true
    [mtls_in.tls]
    cert_file = "${FIXTURES}tls-cert.pem"
    key_file = "${FIXTURES}tls-key.pem"
    client_auth = "RequireAnyClientCert"
  `);
  const seen = capture(receiver);
  const sender = await start(`
    [no_cert_out]
    type = "TcpOutput"
    message_matcher = "TRUE"
    address = "127.0.0.1:${port}"
    use_tls = true
    [no_cert_out.tls]
    root_cafile = "${FIXTURES}tls-cert.pem"
    [no_cert_out.retries]
    delay = "20ms"
  `);
  void sender.inject(createMessage({ payload: 'refused' }));
  await until(
    () => (receiver.stats().plugins.mtls_in!.counters.tls_failures ?? 0) > 0,
    'a refused client',
  );
  assert.equal(seen.length, 0);
});

test('Hekate → Hekate over TLS: TcpOutput with a CA, TcpInput with a certificate', async () => {
  const port = await freePort();
  const receiver = await start(`
    [tls_in]
    type = "TcpInput"
    address = "127.0.0.1:${port}"
    use_tls = true
    [tls_in.tls]
    cert_file = "${FIXTURES}tls-cert.pem"
    key_file = "${FIXTURES}tls-key.pem"
  `);
  const seen = capture(receiver);
  const sender = await start(`
    [tls_out]
    type = "TcpOutput"
    message_matcher = "TRUE"
    address = "127.0.0.1:${port}"
    use_tls = true
    [tls_out.tls]
    root_cafile = "${FIXTURES}tls-cert.pem"
    [tls_out.retries]
    delay = "20ms"
  `);
  const messages = Array.from({ length: 50 }, (_, i) =>
    createMessage({ type: 'tls', payload: `m${i}`, fields: [{ name: 'i', value: i }] }),
  );
  await sender.inject(messages);
  await until(() => seen.length === 50, '50 messages over TLS');
  assert.deepEqual(
    seen.map((m) => snapshot(m)),
    messages.map((m) => snapshot(m)),
  );
});
