import type { Row } from './row-mapping.js';

/** A row on its way to insertAll, with the index of its message in the batch. */
export interface PendingRow {
  readonly message: number;
  /** The row as insertAll takes it: a deterministic insertId and the values. */
  readonly raw: { insertId: string; json: Row };
}

/** The insertAll options sent with every request. */
export interface InsertBodyOptions {
  skipInvalidRows: boolean;
  ignoreUnknownValues: boolean;
}

/** One insertAll request: its rows and its JSON body, exactly as sent. */
export interface InsertRequest {
  rows: PendingRow[];
  body: string;
  /** The body's size in bytes. */
  bytes: number;
}

/** A row too large for any request, and its size serialised. */
export interface Oversized {
  row: PendingRow;
  bytes: number;
}

/**
 * Packs rows into insertAll request bodies of at most `maxRows` rows and `maxBytes` bytes,
 * `{"skipInvalidRows":…,"ignoreUnknownValues":…,"rows":[{"insertId":…,"json":{…}},…]}`. The
 * body is serialised here, once, and sent as it is, so its measured size is the size sent. A
 * request is serialised whole first; only one over the byte limit is serialised row by row and
 * split.
 */
export class RequestPacker {
  readonly #maxRows: number;
  readonly #maxBytes: number;
  readonly #options: InsertBodyOptions;
  /** The body up to its first row, and after its last. */
  readonly #head: string;
  readonly #tail = ']}';

  constructor(maxRows: number, maxBytes: number, options: InsertBodyOptions) {
    this.#maxRows = maxRows;
    this.#maxBytes = maxBytes;
    this.#options = options;
    const empty = JSON.stringify({ ...options, rows: [] });
    this.#head = empty.slice(0, -this.#tail.length);
  }

  /**
   * Splits rows into requests, in order.
   * @returns the requests, and the rows too large for any request (left out of them).
   */
  pack(rows: readonly PendingRow[]): { requests: InsertRequest[]; oversized: Oversized[] } {
    const requests: InsertRequest[] = [];
    const oversized: Oversized[] = [];
    for (let start = 0; start < rows.length; start += this.#maxRows) {
      const chunk = rows.slice(start, start + this.#maxRows);
      const body = JSON.stringify({ ...this.#options, rows: chunk.map((r) => r.raw) });
      const bytes = Buffer.byteLength(body);
      if (bytes <= this.#maxBytes) requests.push({ rows: chunk, body, bytes });
      else this.#split(chunk, requests, oversized);
    }
    return { requests, oversized };
  }

  /** Packs rows that do not fit one request, serialising each. */
  #split(rows: readonly PendingRow[], requests: InsertRequest[], oversized: Oversized[]): void {
    const empty = this.#head.length + this.#tail.length;
    let current: PendingRow[] = [];
    let texts: string[] = [];
    let bytes = empty;
    const close = () => {
      requests.push({ rows: current, body: `${this.#head}${texts.join(',')}${this.#tail}`, bytes });
      current = [];
      texts = [];
      bytes = empty;
    };
    for (const row of rows) {
      const text = JSON.stringify(row.raw);
      const size = Buffer.byteLength(text);
      if (empty + size > this.#maxBytes) {
        oversized.push({ row, bytes: size });
        continue;
      }
      if (current.length > 0 && bytes + 1 + size > this.#maxBytes) close();
      bytes += size + (current.length === 0 ? 0 : 1);
      current.push(row);
      texts.push(text);
    }
    if (current.length > 0) close();
  }
}
