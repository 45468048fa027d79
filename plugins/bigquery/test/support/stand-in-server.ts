import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fault injected into one insertAll request:
 * - `status` (+ `reason`): answer with that error before applying anything (503 backendError,
 *   403 rateLimitExceeded, 401 …);
 * - `hang`: apply the rows, then answer only after `ms` (never without it): the client times out;
 * - `reset`: apply the rows, then drop the connection.
 */
export type Fault = { status: number; reason: string; message?: string } | { after: 'hang' | 'reset'; ms?: number };

/** What the stand-in saw of one insertAll request. */
export interface InsertRecord {
  table: string;
  /** Request body size in bytes. */
  bytes: number;
  insertIds: (string | undefined)[];
  fault: string | undefined;
}

/** A stored row. */
export interface StoredRow {
  insertId: string | undefined;
  json: Record<string, unknown>;
}

/** A column of a table schema. */
export interface SchemaField {
  name: string;
  type: string;
  mode?: string;
  fields?: SchemaField[];
}

interface StoredTable {
  resource: Record<string, unknown>;
  fields: SchemaField[];
  rows: StoredRow[];
}

/** Options of {@link StandInServer.start}. */
export interface StandInOptions {
  /** How long an insertId is remembered for de-duplication (BigQuery: about a minute). */
  dedupWindowMs?: number;
  /** Called for every insertAll request without a queued fault; may return one. */
  faults?: (table: string, rows: number) => Fault | undefined;
}

/** BigQuery's request size limit, as its error message states it. */
export const REQUEST_LIMIT = 10_485_760;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const INTEGER = /^[+-]?\d+$/;

/** Why a value does not fit a column, or undefined when it does (insertAll's type rules, simplified). */
function typeProblem(field: SchemaField, value: unknown, ignoreUnknown: boolean): string | undefined {
  const type = field.type.toUpperCase();
  if (field.mode?.toUpperCase() === 'REPEATED') {
    if (!Array.isArray(value)) return `Array specified for non-repeated field: ${field.name}.`;
    for (const v of value) {
      const problem = typeProblem({ ...field, mode: 'NULLABLE' }, v, ignoreUnknown);
      if (problem !== undefined) return problem;
    }
    return undefined;
  }
  const bad = `Cannot convert value to ${type.toLowerCase()}.`;
  switch (type) {
    case 'INTEGER':
    case 'INT64':
      return Number.isInteger(value) || (typeof value === 'string' && INTEGER.test(value)) ? undefined : bad;
    case 'FLOAT':
    case 'FLOAT64':
      return typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(Number(value))) ? undefined : bad;
    case 'BOOLEAN':
    case 'BOOL':
      return typeof value === 'boolean' || value === 'true' || value === 'false' ? undefined : bad;
    case 'TIMESTAMP':
      return typeof value === 'number' || (typeof value === 'string' && !Number.isNaN(Date.parse(value))) ? undefined : bad;
    case 'RECORD':
    case 'STRUCT':
      return typeof value === 'object' && value !== null && !Array.isArray(value)
        ? rowProblem(field.fields ?? [], value as Record<string, unknown>, ignoreUnknown)?.message
        : bad;
    default:
      return typeof value === 'string' ? undefined : bad;
  }
}

/** The first problem of a row against a schema, as insertAll reports it. */
function rowProblem(
  fields: SchemaField[],
  row: Record<string, unknown>,
  ignoreUnknown: boolean,
): { message: string; location: string } | undefined {
  for (const key of Object.keys(row)) {
    const field = fields.find((f) => f.name === key);
    if (field === undefined) {
      if (ignoreUnknown) continue;
      return { message: `no such field: ${key}.`, location: key };
    }
    if (row[key] === null) continue;
    const problem = typeProblem(field, row[key], ignoreUnknown);
    if (problem !== undefined) return { message: problem, location: key };
  }
  for (const f of fields) {
    if (f.mode?.toUpperCase() === 'REQUIRED' && (row[f.name] === undefined || row[f.name] === null)) {
      return { message: `Missing required field: ${f.name}.`, location: f.name };
    }
  }
  return undefined;
}

/**
 * A small BigQuery REST stand-in on 127.0.0.1 speaking the parts of the API BqOutput uses
 * (datasets and tables get/insert, tabledata.insertAll) with insertAll's real error contract:
 * per-row `invalid` and `stopped` errors, skipInvalidRows, ignoreUnknownValues, the 10 MB
 * request limit, insertId de-duplication within a window, and injected faults.
 */
export class StandInServer {
  /** Every insertAll request, in arrival order. */
  readonly requests: InsertRecord[] = [];
  /** Rows dropped because their insertId was seen within the window. */
  duplicatesDropped = 0;
  /** Called for insertAll requests without a queued fault. */
  faults: StandInOptions['faults'];
  readonly #server: Server;
  readonly #dedupWindowMs: number;
  readonly #queued: Fault[] = [];
  readonly #datasets = new Map<string, Map<string, StoredTable>>();
  readonly #seen = new Map<string, number>();
  readonly #hanging = new Set<ServerResponse>();

  private constructor(server: Server, options: StandInOptions) {
    this.#server = server;
    this.#dedupWindowMs = options.dedupWindowMs ?? 60_000;
    this.faults = options.faults;
  }

  /** Starts a stand-in on a free loopback port. */
  static async start(options: StandInOptions = {}): Promise<StandInServer> {
    let instance: StandInServer | undefined;
    const server = createServer((req, res) => void instance!.#handle(req, res));
    instance = new StandInServer(server, options);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return instance;
  }

  /** `http://127.0.0.1:<port>`: BqOutput's `api_endpoint`. */
  get endpoint(): string {
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  /** Makes the next insertAll requests fail with these faults, in order. */
  enqueue(...faults: Fault[]): void {
    this.#queued.push(...faults);
  }

  createDataset(project: string, dataset: string): void {
    this.#datasets.set(`${project}:${dataset}`, new Map());
  }

  /** A table's stored rows (empty when it does not exist). */
  rows(project: string, dataset: string, table: string): StoredRow[] {
    return this.#datasets.get(`${project}:${dataset}`)?.get(table)?.rows ?? [];
  }

  /** Creates a table, as someone might while the output waits for it. */
  createTable(project: string, dataset: string, table: string, fields: SchemaField[]): void {
    const body = Buffer.from(JSON.stringify({ tableReference: { tableId: table }, schema: { fields } }));
    this.#createTable(project, dataset, this.#datasets.get(`${project}:${dataset}`)!, body);
  }

  /** Drops a table, as if someone deleted it while the output runs. */
  deleteTable(project: string, dataset: string, table: string): void {
    this.#datasets.get(`${project}:${dataset}`)?.delete(table);
  }

  async close(): Promise<void> {
    for (const res of this.#hanging) res.destroy();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname.replace(/^\/bigquery\/v2/, '');
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
    try {
      const answer = this.#route(req.method ?? 'GET', parts, body, res);
      if (answer !== undefined) this.#send(res, 200, answer);
    } catch (error) {
      // Anything else is a body the stand-in could not parse: BigQuery answers 400 invalid.
      const { status, reason, message } =
        error instanceof HttpError
          ? error
          : { status: 400, reason: 'invalid', message: `Invalid request: ${String(error)}` };
      const errors = [{ message, domain: 'global', reason }];
      this.#send(res, status, { error: { code: status, message, errors } });
    }
  }

  #send(res: ServerResponse, status: number, json: unknown): void {
    const text = JSON.stringify(json);
    res.writeHead(status, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  /** Answers a request; undefined when the answer is withheld (a fault). */
  #route(method: string, p: string[], body: Buffer, res: ServerResponse): unknown {
    const notFound = (what: string) => new HttpError(404, 'notFound', `Not found: ${what}`);
    if (p[0] !== 'projects' || p[1] === undefined || p[2] !== 'datasets') throw notFound('URL');
    const project = p[1];
    const datasetResource = (datasetId: string) => ({
      kind: 'bigquery#dataset',
      id: `${project}:${datasetId}`,
      datasetReference: { projectId: project, datasetId },
    });
    if (p.length === 3 && method === 'POST') {
      const { datasetId } = (JSON.parse(body.toString()) as { datasetReference: { datasetId: string } }).datasetReference;
      if (this.#datasets.has(`${project}:${datasetId}`)) {
        throw new HttpError(409, 'duplicate', `Already Exists: Dataset ${project}:${datasetId}`);
      }
      this.createDataset(project, datasetId);
      return datasetResource(datasetId);
    }
    const datasetId = p[3]!;
    const dataset = this.#datasets.get(`${project}:${datasetId}`);
    if (dataset === undefined) throw notFound(`Dataset ${project}:${datasetId}`);
    if (p.length === 4) return datasetResource(datasetId);
    if (p.length === 5 && method === 'POST') return this.#createTable(project, datasetId, dataset, body);
    const tableId = p[5]!;
    const table = dataset.get(tableId);
    if (table === undefined) throw notFound(`Table ${project}:${datasetId}.${tableId}`);
    if (p.length === 6 && method === 'GET') return { ...table.resource, numRows: String(table.rows.length) };
    if (p.length === 7 && p[6] === 'insertAll' && method === 'POST') return this.#insertAll(tableId, table, body, res);
    throw notFound('URL');
  }

  #createTable(project: string, datasetId: string, dataset: Map<string, StoredTable>, body: Buffer): unknown {
    const resource = JSON.parse(body.toString()) as {
      tableReference: { tableId: string };
      schema?: { fields: SchemaField[] };
    };
    const tableId = resource.tableReference.tableId;
    if (dataset.has(tableId)) {
      throw new HttpError(409, 'duplicate', `Already Exists: Table ${project}:${datasetId}.${tableId}`);
    }
    const stored: StoredTable = {
      resource: {
        ...resource,
        kind: 'bigquery#table',
        id: `${project}:${datasetId}.${tableId}`,
        tableReference: { projectId: project, datasetId, tableId },
      },
      fields: resource.schema?.fields ?? [],
      rows: [],
    };
    dataset.set(tableId, stored);
    return stored.resource;
  }

  #insertAll(tableId: string, table: StoredTable, body: Buffer, res: ServerResponse): unknown {
    if (body.length > REQUEST_LIMIT) {
      this.requests.push({ table: tableId, bytes: body.length, insertIds: [], fault: 'too large' });
      throw new HttpError(400, 'invalid', `Request payload size exceeds the limit: ${REQUEST_LIMIT} bytes.`);
    }
    const request = JSON.parse(body.toString()) as {
      rows?: { insertId?: string; json: Record<string, unknown> }[];
      skipInvalidRows?: boolean;
      ignoreUnknownValues?: boolean;
    };
    const rows = request.rows ?? [];
    const fault = this.#queued.shift() ?? this.faults?.(tableId, rows.length);
    const record: InsertRecord = {
      table: tableId,
      bytes: body.length,
      insertIds: rows.map((r) => r.insertId),
      fault: fault === undefined ? undefined : 'status' in fault ? `${fault.status} ${fault.reason}` : fault.after,
    };
    this.requests.push(record);
    if (rows.length === 0) throw new HttpError(400, 'invalid', 'No rows present in the request.');
    if (rows.length > 50_000) {
      throw new HttpError(400, 'invalid', 'too many rows present in the request, limit: 50000.');
    }
    if (fault !== undefined && 'status' in fault) {
      throw new HttpError(fault.status, fault.reason, fault.message ?? `Injected ${fault.reason}.`);
    }
    type RowErrors = { index: number; errors: { reason: string; location?: string; message: string }[] };
    const insertErrors: RowErrors[] = [];
    rows.forEach((row, index) => {
      const problem = rowProblem(table.fields, row.json, request.ignoreUnknownValues === true);
      if (problem !== undefined) insertErrors.push({ index, errors: [{ reason: 'invalid', ...problem }] });
    });
    const invalid = new Set(insertErrors.map((e) => e.index));
    if (invalid.size > 0 && request.skipInvalidRows !== true) {
      rows.forEach((_, index) => {
        if (!invalid.has(index)) insertErrors.push({ index, errors: [{ reason: 'stopped', message: '' }] });
      });
      insertErrors.sort((a, b) => a.index - b.index);
    } else {
      rows.forEach((row, index) => {
        if (!invalid.has(index)) this.#store(tableId, table, row);
      });
    }
    const answer = { kind: 'bigquery#tableDataInsertAllResponse', ...(insertErrors.length > 0 ? { insertErrors } : {}) };
    if (fault !== undefined) {
      if (fault.after === 'reset') res.socket?.destroy();
      else {
        this.#hanging.add(res);
        res.on('close', () => this.#hanging.delete(res));
        if (fault.ms !== undefined) setTimeout(() => !res.destroyed && this.#send(res, 200, answer), fault.ms).unref();
      }
      return undefined;
    }
    return answer;
  }

  #store(tableId: string, table: StoredTable, row: { insertId?: string; json: Record<string, unknown> }): void {
    if (row.insertId !== undefined) {
      const key = `${tableId}\u0000${row.insertId}`;
      const now = Date.now();
      const seen = this.#seen.get(key);
      if (seen !== undefined && now - seen < this.#dedupWindowMs) {
        this.duplicatesDropped++;
        return;
      }
      this.#seen.set(key, now);
    }
    table.rows.push({ insertId: row.insertId, json: row.json });
  }
}
