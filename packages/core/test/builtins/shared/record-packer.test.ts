import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RecordPacker } from '../../../src/builtins/shared/record-packer.js';
import { createMessage } from '../../../src/message/message.js';
import type { SplitRecord } from '../../../src/plugins/types.js';

const batch = (records: SplitRecord[] | undefined) => ({ messages: (records ?? []).map(() => createMessage()), records });

test('RecordPacker lays text and byte records end to end as UTF-8', () => {
  const packer = new RecordPacker('TestOutput');
  const packed = packer.pack(batch(['ab\n', new Uint8Array([0, 255]), 'é😀\n', '']));
  assert.deepEqual([...packed], [...Buffer.concat([Buffer.from('ab\n'), Buffer.from([0, 255]), Buffer.from('é😀\n')])]);
});

test('RecordPacker grows for a large batch and gives each batch exactly its own bytes', () => {
  const packer = new RecordPacker('TestOutput');
  const big = Array.from({ length: 3000 }, (_, i) => `${i} ${'😀'.repeat(i % 50)}\n`);
  assert.equal(packer.pack(batch(big)).toString('utf8'), big.join(''));
  assert.equal(packer.pack(batch(['small\n'])).toString('utf8'), 'small\n');
  assert.equal(packer.pack(batch([])).length, 0);
});

test('RecordPacker refuses a batch without records: the output has no encoder', () => {
  const packer = new RecordPacker('TcpOutput', 'ProtobufEncoder');
  assert.throws(() => packer.pack(batch(undefined)), {
    code: 'HEKATE_ERR_PERMANENT',
    message: /TcpOutput needs an encoder; set encoder = "ProtobufEncoder"/,
  });
});
