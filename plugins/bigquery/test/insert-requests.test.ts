import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { RequestPacker, type PendingRow } from '../src/insert-requests.js';

const body = { skipInvalidRows: false, ignoreUnknownValues: true };
const pending = (values: Record<string, unknown>[]): PendingRow[] =>
  values.map((json, i) => ({ message: i, raw: { insertId: `id-${i}`, json } }));
const serialised = (rows: PendingRow[]) => JSON.stringify({ ...body, rows: rows.map((r) => r.raw) });
const sent = (rows: PendingRow[]) => Buffer.byteLength(serialised(rows));

test('request bodies never exceed the row or byte limit, keep every row in order, and are measured exactly', () => {
  fc.assert(
    fc.property(
      fc.array(fc.record({ text: fc.string({ unit: 'binary', maxLength: 600 }), n: fc.integer() }), { maxLength: 200 }),
      fc.integer({ min: 1, max: 40 }),
      fc.integer({ min: 300, max: 5000 }),
      (values, maxRows, maxBytes) => {
        const rows = pending(values);
        const { requests, oversized } = new RequestPacker(maxRows, maxBytes, body).pack(rows);
        const all = [...requests.flatMap((r) => r.rows), ...oversized.map((o) => o.row)];
        assert.deepEqual(all.sort((a, b) => a.message - b.message), rows);
        assert.deepEqual(requests.flatMap((r) => r.rows), rows.filter((r) => !oversized.some((o) => o.row === r)));
        for (const request of requests) {
          assert.equal(request.body, serialised(request.rows));
          assert.equal(request.bytes, Buffer.byteLength(request.body));
          assert.ok(request.bytes <= maxBytes, `${request.bytes} > ${maxBytes}`);
          assert.ok(request.rows.length <= maxRows);
        }
        for (const o of oversized) {
          assert.equal(o.bytes, Buffer.byteLength(JSON.stringify(o.row.raw)));
          assert.ok(sent([o.row]) > maxBytes);
        }
      },
    ),
  );
});

test('a full request is closed before the row that would overflow it', () => {
  const rows = pending(Array.from({ length: 5 }, () => ({ s: 'y'.repeat(400) })));
  assert.deepEqual(new RequestPacker(500, 1000, body).pack(rows.slice(0, 3)).requests.map((r) => r.rows.length), [2, 1]);
  assert.deepEqual(new RequestPacker(2, 1e6, body).pack(rows).requests.map((r) => r.rows.length), [2, 2, 1]);
  const big = pending([{ s: 'x' }, { s: 'y'.repeat(2000) }, { s: 'z' }]);
  const { requests, oversized } = new RequestPacker(500, 1000, body).pack(big);
  assert.deepEqual(requests.map((r) => r.rows.map((row) => row.message)), [[0, 2]]);
  assert.deepEqual(oversized.map((o) => o.row.message), [1]);
});
