import type { Message } from '@hekate/core';
import type { BqOutputOptions } from './options.js';
import type { TableSchema } from './table-schema.js';
import { ZonedClock } from './zoned-clock.js';

/** What tables.insert needs to create a table (the client's `createTable` metadata). */
export interface TableSpec {
  schema: { fields: Record<string, unknown>[] };
  timePartitioning?: { type: string; field?: string; expirationMs?: string };
  clustering?: { fields: string[] };
}

type RouterOptions = Pick<
  BqOutputOptions,
  | 'table_id'
  | 'table_type'
  | 'timezone'
  | 'partition_type'
  | 'partition_field'
  | 'partition_expiration'
  | 'clustering_fields'
>;

/**
 * Names the table each message goes to: one fixed (or partitioned) table, or Heka's day shards
 * `table_id + YYYYMMDD`, dated by the message's own Timestamp (its event time) in the configured
 * time zone, not by the upload time as Heka's plugin did.
 */
export class TableRouter {
  /** The one table every message goes to; undefined for day shards. */
  readonly fixedTable: string | undefined;
  readonly #options: RouterOptions;
  readonly #clock: ZonedClock;

  constructor(options: RouterOptions, clock: ZonedClock = new ZonedClock(options.timezone)) {
    this.#options = options;
    this.#clock = clock;
    this.fixedTable = options.table_type === 'sharded' ? undefined : options.table_id;
  }

  /** The table id for a message. */
  tableFor(message: Message): string {
    if (this.fixedTable !== undefined) return this.fixedTable;
    return this.#options.table_id + this.#clock.dateKey(Number(message.timestamp / 1_000_000n));
  }

  /** How to create a table of this output from its schema. */
  spec(schema: TableSchema): TableSpec {
    const o = this.#options;
    const spec: TableSpec = { schema: { fields: [...schema.fields] } };
    if (o.table_type === 'partitioned') {
      spec.timePartitioning = {
        type: o.partition_type,
        ...(o.partition_field === undefined ? {} : { field: o.partition_field }),
        ...(o.partition_expiration === undefined
          ? {}
          : { expirationMs: String(Math.round(o.partition_expiration)) }),
      };
      if (o.clustering_fields !== undefined) spec.clustering = { fields: [...o.clustering_fields] };
    }
    return spec;
  }
}
