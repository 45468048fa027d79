import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createMessage } from '@hekate/core';
import { bqOutputOptions } from '../src/options.js';
import { TableRouter } from '../src/table-router.js';
import { parseTableSchema } from '../src/table-schema.js';

const base = { dataset_id: 'realtime', table_id: 'log', create_table: false };
const schema = parseTableSchema([{ name: 'created_at', type: 'TIMESTAMP' }, { name: 'country', type: 'STRING' }]);
const at = (iso: string) => createMessage({ timestamp: new Date(iso) });

test('day shards are named by the event time in the configured zone, not the upload time', () => {
  const utc = new TableRouter(bqOutputOptions.parse(base));
  assert.equal(utc.fixedTable, undefined);
  assert.equal(utc.tableFor(at('2015-12-30T23:30:00Z')), 'log20151230');
  const tokyo = new TableRouter(bqOutputOptions.parse({ ...base, timezone: 'Asia/Tokyo' }));
  assert.equal(tokyo.tableFor(at('2015-12-30T23:30:00Z')), 'log20151231');
  assert.deepEqual(tokyo.spec(schema), { schema: { fields: schema.fields } });
});

test('fixed and partitioned tables take every message; partitioned ones are created partitioned', () => {
  const fixed = new TableRouter(bqOutputOptions.parse({ ...base, table_type: 'fixed' }));
  assert.equal(fixed.tableFor(at('2015-12-30T23:30:00Z')), 'log');
  const partitioned = new TableRouter(
    bqOutputOptions.parse({
      ...base,
      table_type: 'partitioned',
      partition_type: 'HOUR',
      partition_field: 'created_at',
      partition_expiration: '30d',
      clustering_fields: ['country'],
    }),
  );
  assert.equal(partitioned.fixedTable, 'log');
  assert.deepEqual(partitioned.spec(schema), {
    schema: { fields: schema.fields },
    timePartitioning: { type: 'HOUR', field: 'created_at', expirationMs: String(30 * 86_400_000) },
    clustering: { fields: ['country'] },
  });
});
