import { readFileSync } from 'node:fs';
import { createMessage, type Message } from '../../src/message/message.js';
import type { ValueType } from '../../src/message/field.js';

/** One `(expression, result)` case of Heka's MatcherSpecificationSpec. */
export interface VectorCase {
  expr: string;
  match: boolean;
  group: 'negative' | 'positive';
  index: number;
  expr_rendered_with_substitute?: string;
}

/** A case verified against Heka's grammar and evaluator, outside Heka's own test suite. */
export interface DerivedCase {
  expr: string;
  message: string;
  parses: boolean;
  match?: boolean;
  note: string;
}

interface VectorField {
  name: string;
  value_type: string;
  representation: string;
  values: (string | number | boolean)[];
}

/** reference/heka-matcher-vectors.json (a copy lives in test/fixtures). */
export interface Vectors {
  message: {
    headers: Record<string, string | number | { substitute: string | number }>;
    fields: VectorField[];
  };
  cases: VectorCase[];
  parse_errors: string[];
  parse_error_details: { expr: string; source_comment: string | null; go_error_observed: string }[];
  derived_quirk_cases: { cases: DerivedCase[] };
}

// Compiled tests run from dist/test/matcher; the fixture stays in test/fixtures.
const FIXTURE = new URL('../../../test/fixtures/heka-matcher-vectors.json', import.meta.url);

/** The vectors file. */
export const vectors: Vectors = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Vectors;

function header(name: string): string | number {
  const h = vectors.message.headers[name]!;
  return typeof h === 'object' ? h.substitute : h;
}

/** Heka's test message with the vectors' substitute values for its dynamic headers. */
export function vectorMessage(): Message {
  return createMessage({
    uuid: String(header('Uuid')),
    timestamp: BigInt(header('Timestamp')),
    type: String(header('Type')),
    logger: String(header('Logger')),
    severity: Number(header('Severity')),
    payload: String(header('Payload')),
    envVersion: String(header('EnvVersion')),
    pid: Number(header('Pid')),
    hostname: String(header('Hostname')),
    fields: vectors.message.fields.map((f) => ({
      name: f.name,
      representation: f.representation,
      type: f.value_type.toLowerCase() as ValueType,
      value:
        f.value_type === 'BYTES'
          ? f.values.map((v) => new TextEncoder().encode(String(v)))
          : f.values,
    })),
  });
}

/**
 * Heka's empty `Message{}`: no headers set, Severity 7. Its Uuid reads as `''` because it is
 * not 16 bytes long; a Hekate message always has a uuid, so it is set to `''` here.
 */
export function emptyMessage(): Message {
  return createMessage({ uuid: '', timestamp: 0n });
}

/** The expression a case tests (`Uuid == '%s'` is rendered with the substitute uuid). */
export function expressionOf(c: VectorCase): string {
  return c.expr_rendered_with_substitute ?? c.expr;
}
