import { readFileSync } from 'node:fs';

/** A BigQuery column type, with the standard-SQL aliases folded onto the legacy names. */
export type ColumnType =
  | 'STRING'
  | 'BYTES'
  | 'INTEGER'
  | 'FLOAT'
  | 'NUMERIC'
  | 'BIGNUMERIC'
  | 'BOOLEAN'
  | 'TIMESTAMP'
  | 'DATE'
  | 'TIME'
  | 'DATETIME'
  | 'GEOGRAPHY'
  | 'JSON'
  | 'INTERVAL'
  | 'RANGE'
  | 'RECORD';

/** One column of a table schema. */
export interface Column {
  readonly name: string;
  readonly type: ColumnType;
  readonly mode: 'NULLABLE' | 'REQUIRED' | 'REPEATED';
  /** Sub-columns of a RECORD. */
  readonly fields: readonly Column[];
}

/** A parsed schema file: the columns, and the file's own field objects for table creation. */
export interface TableSchema {
  readonly columns: readonly Column[];
  /** The schema as BigQuery's tables.insert takes it (`schema.fields`). */
  readonly fields: readonly Record<string, unknown>[];
}

const ALIASES: Readonly<Record<string, ColumnType>> = {
  INT64: 'INTEGER',
  FLOAT64: 'FLOAT',
  BOOL: 'BOOLEAN',
  STRUCT: 'RECORD',
  DECIMAL: 'NUMERIC',
  BIGDECIMAL: 'BIGNUMERIC',
};

const TYPES = new Set<string>([
  'STRING', 'BYTES', 'INTEGER', 'FLOAT', 'NUMERIC', 'BIGNUMERIC', 'BOOLEAN', 'TIMESTAMP', 'DATE',
  'TIME', 'DATETIME', 'GEOGRAPHY', 'JSON', 'INTERVAL', 'RANGE', 'RECORD',
]);

function parseColumn(raw: unknown, at: string): Column {
  if (typeof raw !== 'object' || raw === null) throw new Error(`${at}: expected a field object`);
  const { name, type, mode, fields } = raw as Record<string, unknown>;
  if (typeof name !== 'string' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new Error(`${at}: "name" must be a column name (letters, digits and _)`);
  }
  const upper = typeof type === 'string' ? type.toUpperCase() : '';
  const folded = ALIASES[upper] ?? upper;
  if (!TYPES.has(folded)) throw new Error(`${at} (${name}): unknown type ${JSON.stringify(type)}`);
  const upperMode = typeof mode === 'string' ? mode.toUpperCase() : 'NULLABLE';
  if (upperMode !== 'NULLABLE' && upperMode !== 'REQUIRED' && upperMode !== 'REPEATED') {
    throw new Error(`${at} (${name}): unknown mode ${JSON.stringify(mode)}`);
  }
  const children = folded === 'RECORD' ? parseColumns(fields, `${at}.${name}`) : [];
  if (folded === 'RECORD' && children.length === 0) {
    throw new Error(`${at} (${name}): a RECORD needs "fields"`);
  }
  return { name, type: folded as ColumnType, mode: upperMode, fields: children };
}

function parseColumns(raw: unknown, at: string): Column[] {
  if (!Array.isArray(raw)) throw new Error(`${at}: expected an array of fields`);
  return raw.map((field, i) => parseColumn(field, `${at}[${i}]`));
}

/**
 * Parses a BigQuery JSON schema: `{"fields": [...]}` (TableSchema, as Heka's schema files are) or
 * a bare array of fields (what `bq show --schema` prints).
 * @throws Error naming the offending field when the schema is malformed.
 */
export function parseTableSchema(json: unknown): TableSchema {
  const fields = Array.isArray(json) ? json : (json as { fields?: unknown } | null)?.fields;
  const columns = parseColumns(fields, 'fields');
  if (columns.length === 0) throw new Error('the schema has no fields');
  return { columns, fields: fields as Record<string, unknown>[] };
}

/** Reads and parses a schema file (see {@link parseTableSchema}). */
export function readTableSchema(file: string): TableSchema {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read the schema file ${file}: ${(error as Error).message}`);
  }
  try {
    return parseTableSchema(json);
  } catch (error) {
    throw new Error(`schema file ${file}: ${(error as Error).message}`);
  }
}

/** The column at a dotted path (`geo.lat`), or undefined. */
export function findColumn(columns: readonly Column[], dotted: string): Column | undefined {
  const [head, ...rest] = dotted.split('.');
  const column = columns.find((c) => c.name === head);
  if (column === undefined || rest.length === 0) return column;
  return findColumn(column.fields, rest.join('.'));
}
