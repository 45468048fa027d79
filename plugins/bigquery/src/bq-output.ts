import path from 'node:path';
import { BigQuery, type Dataset, type Table } from '@google-cloud/bigquery';
import {
  defineOutput,
  errorMessage,
  type Output,
  type OutputBatch,
  type OutputRunner,
  type PluginContext,
  type WriteResult,
} from '@hekate/core';
import type { AuthClient } from 'google-auth-library';
import { createCredentials } from './auth.js';
import { BatchOutcome } from './batch-outcome.js';
import { classifyRequestError, classifyRowErrors, type RowError } from './insert-errors.js';
import { RequestPacker, type InsertRequest, type PendingRow } from './insert-requests.js';
import { bqCommonDefaults, bqOutputOptions, type BqOutputOptions } from './options.js';
import { fieldRowMapper, payloadRowMapper, type RowMapper } from './row-mapping.js';
import { TableRouter } from './table-router.js';
import { findColumn, readTableSchema, type TableSchema } from './table-schema.js';
import { ZonedClock } from './zoned-clock.js';

/** What a BqOutput can be given besides its options, when made with {@link defineBqOutput}. */
export interface BqOutputDependencies {
  /**
   * Credentials to use instead of the configured ones, e.g. a google-auth-library client for
   * workload identity federation or impersonation when embedding Hekate.
   */
  authClient?: AuthClient;
}

/** Most tables remembered as existing (day shards); the memory is cleared beyond it. */
const KNOWN_TABLES_LIMIT = 1000;

/** tabledata.insertAll's answer; an index of 0 may be left out (proto3 JSON omits defaults). */
interface InsertAllResponse {
  insertErrors?: { index?: number; errors: RowError[] }[];
}

/** Checks that partitioning and clustering name suitable columns of the schema. */
function checkTableLayout(options: BqOutputOptions, schema: TableSchema): void {
  if (options.partition_field !== undefined) {
    const column = schema.columns.find((c) => c.name === options.partition_field);
    const timeColumn = ['TIMESTAMP', 'DATE', 'DATETIME'].includes(column?.type ?? '');
    if (!timeColumn || column!.mode === 'REPEATED') {
      throw new Error(
        `partition_field: "${options.partition_field}" must be a TIMESTAMP, DATE or DATETIME column of the schema`,
      );
    }
  }
  for (const name of options.clustering_fields ?? []) {
    if (findColumn(schema.columns, name) === undefined) {
      throw new Error(`clustering_fields: the schema has no column "${name}"`);
    }
  }
}

/**
 * The output itself: maps each batch to rows, routes them to tables, packs them into insertAll
 * requests and turns BigQuery's answer into per-message outcomes for the runner.
 */
class BqWriter implements Output {
  readonly batching: { maxMessages: number; maxBytes: number; lingerMs: number };
  readonly #options: BqOutputOptions;
  readonly #context: PluginContext;
  readonly #authClient: AuthClient | undefined;
  readonly #schema: TableSchema | undefined;
  readonly #router: TableRouter;
  readonly #mapRows: RowMapper;
  readonly #packer: RequestPacker;
  readonly #tables = new Map<string, Table>();
  readonly #known = new Set<string>();
  #dataset: Dataset | undefined;

  constructor(options: BqOutputOptions, context: PluginContext, dependencies: BqOutputDependencies) {
    const resolve = (file: string | undefined) =>
      file === undefined ? undefined : path.resolve(context.configDir, file);
    if (dependencies.authClient !== undefined && (options.key_file ?? options.pem_file_path) !== undefined) {
      throw new Error('credentials are given in code: key_file and pem_file_path must not be set');
    }
    this.#options = {
      ...options,
      schema_file_path: resolve(options.schema_file_path),
      key_file: resolve(options.key_file),
      pem_file_path: resolve(options.pem_file_path),
    };
    this.#context = context;
    this.#authClient = dependencies.authClient;
    const schemaFile = this.#options.schema_file_path;
    this.#schema = schemaFile === undefined ? undefined : readTableSchema(schemaFile);
    if (this.#schema !== undefined) checkTableLayout(options, this.#schema);
    const clock = new ZonedClock(options.timezone);
    this.#router = new TableRouter(options, clock);
    this.#mapRows =
      options.row_source === 'fields'
        ? fieldRowMapper(this.#schema!.columns, options.columns, options.unknown_fields, clock)
        : payloadRowMapper;
    this.#packer = new RequestPacker(options.max_batch_rows, options.max_request_bytes, {
      skipInvalidRows: options.skip_invalid_rows,
      ignoreUnknownValues: options.unknown_fields === 'ignore',
    });
    this.batching = {
      maxMessages: options.max_batch_rows,
      maxBytes: options.max_request_bytes,
      lingerMs: options.flush_interval,
    };
  }

  async open(): Promise<void> {
    const o = this.#options;
    const client = new BigQuery({
      ...(o.project_id === undefined ? {} : { projectId: o.project_id }),
      ...(o.api_endpoint === undefined ? {} : { apiEndpoint: o.api_endpoint }),
      ...(this.#authClient === undefined
        ? await createCredentials(o)
        : { authClient: this.#authClient }),
      // Retries are the runner's, with its backoff and the same insertIds.
      retryOptions: { autoRetry: false },
    });
    this.#dataset = client.dataset(o.dataset_id);
    this.#tables.clear();
    this.#known.clear();
    if (this.#router.fixedTable !== undefined) await this.#ensureTable(this.#router.fixedTable);
  }

  async write(batch: OutputBatch, runner: OutputRunner): Promise<WriteResult> {
    const outcome = new BatchOutcome(batch.messages.length);
    for (const [table, rows] of this.#prepare(batch, outcome)) {
      const requests = this.#pack(rows, outcome);
      try {
        await this.#ensureTable(table);
      } catch (error) {
        // Even a refused table (a schema error) is a configuration problem: the rows wait.
        const { reason } = classifyRequestError(error);
        outcome.setAll(
          rows.map((r) => r.message),
          { action: 'retry', reason: `table ${this.#options.dataset_id}.${table}: ${reason}` },
        );
        continue;
      }
      for (const request of requests) await this.#insert(table, request, outcome);
    }
    const result = outcome.result();
    if (outcome.requestFailure !== undefined) {
      runner.logger.warn('Some insertAll requests failed; their rows are written again after a backoff.', {
        error: outcome.requestFailure,
        messages: result.retry?.length ?? 0,
      });
    }
    return result;
  }

  /** Maps messages to rows grouped by table; messages that cannot become rows are refused. */
  #prepare(batch: OutputBatch, outcome: BatchOutcome): Map<string, PendingRow[]> {
    const byTable = new Map<string, PendingRow[]>();
    const { messages, records } = batch;
    const counters = this.#context.counters;
    for (let i = 0; i < messages.length; i++) {
      const message = messages[i]!;
      let rows;
      try {
        rows = this.#mapRows(message, records?.[i]);
      } catch (error) {
        counters.add('messages_unmappable');
        outcome.set(i, { action: 'reject', reason: `cannot make a row: ${errorMessage(error)}` });
        continue;
      }
      if (rows.length === 0) {
        counters.add('messages_without_rows');
        continue;
      }
      const uuid = message.uuid;
      const table = this.#router.tableFor(message);
      let group = byTable.get(table);
      if (group === undefined) byTable.set(table, (group = []));
      for (let j = 0; j < rows.length; j++) {
        const insertId = rows.length === 1 ? uuid : `${uuid}-${j}`;
        group.push({ message: i, raw: { insertId, json: rows[j]! } });
      }
    }
    return byTable;
  }

  /**
   * Packs a table's rows into requests. Rows too large for any request are refused, and so are
   * their messages' other rows: a message is written whole or not at all.
   */
  #pack(rows: PendingRow[], outcome: BatchOutcome): InsertRequest[] {
    const { requests, oversized } = this.#packer.pack(rows);
    if (oversized.length === 0) return requests;
    const refused = new Set<number>();
    for (const { row, bytes } of oversized) {
      this.#context.counters.add('rows_oversized');
      refused.add(row.message);
      outcome.set(row.message, {
        action: 'reject',
        reason:
          `row of ${bytes} bytes does not fit an insertAll request of ` +
          `max_request_bytes = ${this.#options.max_request_bytes}`,
      });
    }
    return this.#packer.pack(rows.filter((r) => !refused.has(r.message))).requests;
  }

  /**
   * Sends one insertAll request and records each row's outcome. The body goes out as it was
   * serialised and measured, through the client's authenticated `request`, not `table.insert`:
   * that one deep-copies the rows, re-serialises them with client-made insertIds unless `raw`,
   * and replaces any `{{projectId}}` text inside row values with the project id.
   */
  async #insert(tableId: string, request: InsertRequest, outcome: BatchOutcome): Promise<void> {
    const counters = this.#context.counters;
    counters.add('requests');
    let response: InsertAllResponse;
    try {
      [response] = await this.#timed(
        this.#table(tableId).request({
          method: 'POST',
          uri: '/insertAll',
          body: request.body,
          headers: { 'Content-Type': 'application/json' },
        }),
      );
    } catch (error) {
      const verdict = classifyRequestError(error);
      if (verdict.notFound === true) this.#known.delete(tableId);
      counters.add('request_failures');
      outcome.setAll(
        request.rows.map((r) => r.message),
        verdict,
      );
      return;
    }
    const listed = response.insertErrors ?? [];
    for (const { index, errors } of listed) {
      const verdict = classifyRowErrors(errors);
      counters.add(verdict.action === 'reject' ? 'rows_invalid' : 'rows_stopped');
      outcome.set(request.rows[index ?? 0]!.message, verdict);
    }
    counters.add('rows_inserted', request.rows.length - listed.length);
  }

  /** Makes sure a table exists before rows go to it: created from the schema, or checked. */
  async #ensureTable(tableId: string): Promise<void> {
    if (this.#known.has(tableId)) return;
    const table = this.#table(tableId);
    const [exists] = await this.#timed(table.exists());
    if (!exists && !this.#options.create_table) {
      throw new Error(
        `table ${this.#options.dataset_id}.${tableId} does not exist and create_table = false; ` +
          'create it or set create_table = true',
      );
    }
    if (!exists) {
      try {
        await this.#timed(this.#dataset!.createTable(tableId, this.#router.spec(this.#schema!)));
        this.#context.counters.add('tables_created');
        this.#context.logger.info('Created a table.', {
          dataset: this.#options.dataset_id,
          table: tableId,
        });
      } catch (error) {
        if ((error as { code?: unknown }).code !== 409) throw error;
      }
    }
    if (this.#known.size >= KNOWN_TABLES_LIMIT) this.#known.clear();
    this.#known.add(tableId);
  }

  /**
   * Gives up on a request after `request_timeout`. The client (teeny-request over node-fetch 3)
   * has no working timeout of its own, so the abandoned request is left to finish or fail on its
   * own; its rows are written again with the same insertIds, which BigQuery de-duplicates.
   */
  async #timed<T>(request: Promise<T>): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`no answer within request_timeout = ${this.#options.request_timeout} ms`)),
        this.#options.request_timeout,
      );
    });
    request.catch(() => {});
    try {
      return await Promise.race([request, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  #table(tableId: string): Table {
    let table = this.#tables.get(tableId);
    if (table === undefined) {
      if (this.#tables.size >= KNOWN_TABLES_LIMIT) this.#tables.clear();
      this.#tables.set(tableId, (table = this.#dataset!.table(tableId)));
    }
    return table;
  }
}

/**
 * Makes the BqOutput plugin type, optionally with credentials given in code (see
 * {@link BqOutputDependencies}); {@link BqOutput} is the one configured from TOML alone.
 *
 * @example
 * const authClient = await new GoogleAuth({ scopes: [BIGQUERY_SCOPE] }).getClient();
 * const pipeline = await Pipeline.fromFile('hekate.toml', { plugins: [defineBqOutput({ authClient })] });
 */
export function defineBqOutput(dependencies: BqOutputDependencies = {}) {
  return defineOutput({
    type: 'BqOutput',
    summary: 'Streams rows into Google BigQuery (insertAll) without losing or doubling a row.',
    options: bqOutputOptions,
    commonDefaults: bqCommonDefaults,
    create: (options, context) => new BqWriter(options, context, dependencies),
  });
}

/**
 * BqOutput: streams messages into BigQuery tables with deterministic insertIds (the message
 * uuid), retries `stopped` rows and retryable failures with the same insertIds, dead-letters
 * invalid and oversized rows with BigQuery's reason, and loads Heka BqOutput sections as they
 * are (`buffer_path` + `buffer_file` become the durable disk queue).
 */
export const BqOutput = defineBqOutput();
