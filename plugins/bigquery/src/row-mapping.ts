import type { FieldValue, Message, SplitRecord } from '@hekate/core';
import { converterFor, type Converter } from './convert-value.js';
import { HEADER_SOURCES } from './options.js';
import { findColumn, type Column } from './table-schema.js';
import type { ZonedClock } from './zoned-clock.js';

/** A row's column values, as insertAll's `json` member takes them. */
export type Row = Record<string, unknown>;

/**
 * Turns a message (and its encoding, when the output has an encoder) into rows. Throws an Error
 * whose message is the reason when the message cannot become rows; the output dead-letters it.
 */
export type RowMapper = (message: Message, record: SplitRecord | undefined) => Row[];

/**
 * Values read from a message for one column, and the unit of numeric times in `representation`:
 * a message field itself, or the same shape for a header.
 */
interface Values {
  readonly values: readonly FieldValue[];
  readonly representation: string;
}

type Read = (message: Message) => Values | undefined;

type Plan =
  | { kind: 'leaf'; column: Column; path: string; read: Read; convert: Converter }
  | { kind: 'record'; column: Column; path: string; children: Plan[] };

const utf8 = new TextDecoder();
const one = (value: FieldValue, representation = ''): Values => ({
  values: [value],
  representation,
});

const HEADERS: Readonly<Record<(typeof HEADER_SOURCES)[number], Read>> = {
  Uuid: (m) => one(m.uuid),
  Timestamp: (m) => one(m.timestamp, 'ns'),
  Type: (m) => one(m.type),
  Logger: (m) => one(m.logger),
  Severity: (m) => one(m.severity),
  Payload: (m) => one(m.payload),
  EnvVersion: (m) => one(m.envVersion),
  Pid: (m) => one(m.pid),
  Hostname: (m) => one(m.hostname),
};

/** Reads `Fields[name]`: the first such field, or the values of all of them for REPEATED columns. */
function fieldReader(name: string, repeated: boolean): Read {
  if (!repeated) return (m) => m.field(name);
  return (m) => {
    const first = m.field(name);
    if (first === undefined) return undefined;
    const values = [...first.values];
    for (let i = 1, f = m.field(name, 1); f !== undefined; f = m.field(name, ++i)) {
      values.push(...f.values);
    }
    return { values, representation: first.representation };
  };
}

/**
 * Builds the mapper for `row_source = "fields"`: each schema column takes `Fields[<column>]`
 * (`Fields[<record>.<column>]` inside a RECORD) unless `columns` maps it to another field or a
 * header; values are converted to the column's type; fields without a column are dropped or, with
 * `unknownFields = "reject"`, make the message a dead letter.
 * @throws Error when `columns` names a column the schema does not have.
 */
export function fieldRowMapper(
  columns: readonly Column[],
  sources: Readonly<Record<string, string>>,
  unknownFields: 'ignore' | 'reject',
  clock: ZonedClock,
): RowMapper {
  const fieldNames = new Set<string>();
  for (const key of Object.keys(sources)) {
    const column = findColumn(columns, key);
    if (column === undefined) throw new Error(`columns: the schema has no column "${key}"`);
    if (column.type === 'RECORD') {
      throw new Error(`columns: "${key}" is a RECORD; map its sub-columns instead`);
    }
  }
  const plan = (column: Column, prefix: string): Plan | undefined => {
    const path = prefix + column.name;
    if (column.type === 'RECORD') {
      // Flat message fields cannot describe a list of records: such columns stay empty.
      if (column.mode === 'REPEATED') return undefined;
      const children = column.fields.map((c) => plan(c, `${path}.`)).filter((p) => p !== undefined);
      return { kind: 'record', column, path, children };
    }
    const source = Object.hasOwn(sources, path) ? sources[path]! : `Fields[${path}]`;
    const header = HEADERS[source as keyof typeof HEADERS];
    const name = source.slice('Fields['.length, -1);
    if (header === undefined) fieldNames.add(name);
    const read = header ?? fieldReader(name, column.mode === 'REPEATED');
    return { kind: 'leaf', column, path, read, convert: converterFor(column.type, clock) };
  };
  const plans = columns.map((c) => plan(c, '')).filter((p) => p !== undefined);
  return (message) => {
    if (unknownFields === 'reject') {
      for (const f of message.fields) {
        if (!fieldNames.has(f.name)) {
          throw new Error(`field "${f.name}" has no column in the schema`);
        }
      }
    }
    const row: Row = {};
    fill(plans, message, row);
    return [row];
  };
}

/**
 * Sets a column. Rows are plain objects (JSON.stringify and the client's deep copy are fastest
 * on them), so a column called `__proto__` is defined rather than assigned.
 */
function put(row: Row, name: string, value: unknown): void {
  if (name !== '__proto__') row[name] = value;
  else Object.defineProperty(row, name, { value, enumerable: true, writable: true, configurable: true });
}

function fill(plans: readonly Plan[], message: Message, row: Row): void {
  for (const p of plans) {
    const { name, mode } = p.column;
    if (p.kind === 'record') {
      const inner: Row = {};
      fill(p.children, message, inner);
      if (Object.keys(inner).length > 0) put(row, name, inner);
      else if (mode === 'REQUIRED') throw new Error(`required column ${p.path} has no value`);
      continue;
    }
    const found = p.read(message);
    if (found === undefined || found.values.length === 0) {
      if (mode === 'REQUIRED') throw new Error(`required column ${p.path} has no value`);
      continue;
    }
    try {
      const { values, representation } = found;
      if (mode === 'REPEATED') put(row, name, values.map((v) => p.convert(v, representation)));
      else if (values.length === 1) put(row, name, p.convert(values[0]!, representation));
      else throw new Error(`the value is an array of ${values.length} but the column is not REPEATED`);
    } catch (error) {
      throw new Error(`column ${p.path}: ${(error as Error).message}`);
    }
  }
}

/**
 * The mapper for `row_source = "payload"` (Heka's behaviour): the encoder's output when the
 * output has an encoder, the Payload otherwise, as newline-delimited JSON objects, one row per
 * non-blank line. Unlike Heka, a line that is not a JSON object makes the message a dead letter
 * instead of an empty row.
 */
export const payloadRowMapper: RowMapper = (message, record) => {
  const text =
    record === undefined ? message.payload : typeof record === 'string' ? record : utf8.decode(record);
  const rows: Row[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let row: unknown;
    try {
      row = JSON.parse(line);
    } catch (error) {
      throw new Error(`line ${i + 1} is not JSON: ${(error as Error).message}`);
    }
    if (typeof row !== 'object' || row === null || Array.isArray(row)) {
      throw new Error(`line ${i + 1} is not a JSON object`);
    }
    rows.push(row as Row);
  }
  return rows;
};
