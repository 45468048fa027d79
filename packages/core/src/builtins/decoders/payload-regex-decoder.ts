import { RE2JS } from 're2js';
import { z } from 'zod';
import { DecodeError } from '../../errors.js';
import { createField, type Field, type FieldValue } from '../../message/field.js';
import type { Message } from '../../message/message.js';
import { defineDecoder } from '../../plugins/define.js';
import type { Decoder, PluginCounters } from '../../plugins/types.js';
import {
  assignHeader,
  convertHeader,
  isHeaderName,
  type HeaderName,
  type HeaderParsers,
  type HeaderValue,
} from '../shared/headers.js';
import { re2Pattern } from '../shared/re2-option.js';
import { recordText, releaseRaw } from '../shared/record-text.js';
import { timestampFormat, timestampLocation } from '../shared/time-options.js';
import { createTimestampParser } from '../shared/time-parse.js';

const options = z
  .object({
    match_regex: re2Pattern((re) =>
      re.groupCount() === 0 ? 'must contain capture groups' : undefined,
    ).describe('RE2 regex with capture groups, e.g. (?P<Status>\\d+); it must match the payload.'),
    severity_map: z
      .record(z.string(), z.number().int().min(0).max(7))
      .default({})
      .describe('Maps the text captured as Severity to a number.'),
    message_fields: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .optional()
      .describe('Fields and headers to set; keys may be name|representation, values may use %Group%.'),
    timestamp_layout: timestampFormat()
      .optional()
      .describe('Go layout of the Timestamp capture, or Epoch, EpochMilli, EpochMicro, EpochNano.'),
    timestamp_location: timestampLocation(),
    log_errors: z
      .boolean()
      .default(true)
      .describe('A payload that does not match is a decode error (true) or silently dropped (false).'),
  })
  .strict();

type PayloadRegexDecoderOptions = z.output<typeof options>;

/** A `%Name%` reference in a message_fields value. */
interface Ref {
  readonly ref: string;
}

/** One message_fields entry: the header or field it sets and its value template. */
interface Target {
  readonly header: HeaderName | undefined;
  readonly name: string;
  readonly representation: string;
  /** Literal text and references, or a typed constant given in TOML. */
  readonly value: readonly (string | Ref)[] | number | boolean;
}

const REFERENCE = /%(\w+)%/g;

function compileTarget(key: string, raw: string | number | boolean): Target {
  const bar = key.indexOf('|');
  const name = bar === -1 ? key : key.slice(0, bar);
  const representation = bar === -1 ? '' : key.slice(bar + 1);
  // Heka: a header name with a representation makes a field of that name instead.
  const header = bar === -1 && isHeaderName(name) && name !== 'Timestamp' ? name : undefined;
  if (typeof raw !== 'string') return { header, name, representation, value: raw };
  const parts: (string | Ref)[] = [];
  let last = 0;
  for (const m of raw.matchAll(REFERENCE)) {
    if (m.index > last) parts.push(raw.slice(last, m.index));
    parts.push({ ref: m[1]! });
    last = m.index + m[0].length;
  }
  if (last < raw.length) parts.push(raw.slice(last));
  return { header, name, representation, value: parts };
}

class PayloadRegexDecoderImpl implements Decoder {
  readonly #re: RE2JS;
  /** Capture names by group number; unnamed groups are named by their number, as in Heka. */
  readonly #groups: readonly string[];
  /** Without message_fields: the named groups that become fields, by group number. */
  readonly #fieldGroups: readonly [number, string][];
  readonly #targets: readonly Target[] | undefined;
  readonly #parsers: HeaderParsers;
  readonly #logErrors: boolean;
  readonly #counters: PluginCounters;

  constructor(o: PayloadRegexDecoderOptions, counters: PluginCounters) {
    this.#re = RE2JS.compile(o.match_regex);
    const groups = Array.from({ length: this.#re.groupCount() + 1 }, (_, i) => String(i));
    const named = Object.entries(this.#re.namedGroups());
    for (const [name, index] of named) groups[index] = name;
    this.#groups = groups;
    this.#fieldGroups = named
      .filter(([name]) => name !== 'Timestamp' && name !== 'Severity')
      .map(([name, index]): [number, string] => [index, name])
      .sort((a, b) => a[0] - b[0]);
    this.#targets = o.message_fields === undefined
      ? undefined
      : Object.entries(o.message_fields).map(([key, raw]) => compileTarget(key, raw));
    this.#parsers = {
      timestamp: createTimestampParser(o.timestamp_layout, o.timestamp_location),
      severityMap: new Map(Object.entries(o.severity_map)),
    };
    this.#logErrors = o.log_errors;
    this.#counters = counters;
  }

  decode(message: Message): Message | undefined {
    const text = recordText(message);
    const m = this.#re.matcher(text);
    if (!m.find()) {
      if (!this.#logErrors) return undefined;
      throw new DecodeError('payload does not match match_regex');
    }
    const captures = new Map<string, string>();
    for (let i = 1; i < this.#groups.length; i++) {
      const value = m.group(i);
      if (value !== null) captures.set(this.#groups[i]!, value);
    }
    // Work out every change first: a failure must leave the message untouched.
    const headers: [HeaderName, HeaderValue][] = [];
    const fields: Field[] = [];
    for (const special of ['Timestamp', 'Severity'] as const) {
      const captured = captures.get(special);
      if (captured === undefined) continue;
      const value = convertHeader(special, captured, this.#parsers);
      if (value === undefined) this.#counters.add('header_failures');
      else headers.push([special, value]);
    }
    if (this.#targets === undefined) {
      for (const [index, name] of this.#fieldGroups) {
        const value = m.group(index);
        if (value !== null) fields.push(createField({ name, value }));
      }
    } else {
      for (const target of this.#targets) this.#resolve(target, captures, message, headers, fields);
    }
    if (releaseRaw(message)) message.payload = text;
    for (const [header, value] of headers) assignHeader(message, header, value);
    for (const f of fields) message.addField(f.name, f.values, f.representation);
    return message;
  }

  #resolve(
    target: Target,
    captures: ReadonlyMap<string, string>,
    message: Message,
    headers: [HeaderName, HeaderValue][],
    fields: Field[],
  ): void {
    let value: FieldValue;
    if (typeof target.value !== 'object') value = target.value;
    else {
      value = '';
      for (const part of target.value) {
        value += typeof part === 'string' ? part : interpolate(part.ref, captures, message);
      }
    }
    if (target.header === undefined) {
      fields.push(createField({ name: target.name, value, representation: target.representation }));
      return;
    }
    const converted = convertHeader(target.header, value, this.#parsers);
    if (converted === undefined) {
      throw new DecodeError(`message_fields ${target.name}: invalid value "${String(value)}"`);
    }
    headers.push([target.header, converted]);
  }
}

/** `%name%`: a capture, else the message's field of that name, else `<name>` as Heka wrote it. */
function interpolate(name: string, captures: ReadonlyMap<string, string>, message: Message): string {
  const captured = captures.get(name);
  if (captured !== undefined) return captured;
  const fieldValue = message.value(name);
  if (fieldValue === undefined) return `<${name}>`;
  if (fieldValue instanceof Uint8Array) return Buffer.from(fieldValue).toString('utf8');
  return String(fieldValue);
}

/**
 * PayloadRegexDecoder: matches the Payload against an RE2 regex with named groups (Heka's
 * decoder, same options). A group named `Timestamp` sets the timestamp (read with
 * `timestamp_layout`), one named `Severity` the severity (through `severity_map`, numbers or
 * syslog names); `message_fields` sets headers (`Type`, `Logger`, `Hostname`, `Pid`, `Uuid`,
 * `Severity`, `Payload`, `EnvVersion`) and string fields from `%Group%` templates.
 *
 * Differences from Heka: without `message_fields` every named group becomes a string field
 * (Heka set none); a timestamp or severity that cannot be read keeps the message's value and
 * counts `header_failures` (Heka logged and stored a zero time); a year-less timestamp from late
 * December read in January gets last year; `timestamp_location` is UTC or a fixed offset, not
 * an IANA zone name.
 *
 * @example
 * [nginx_access]
 * type = "PayloadRegexDecoder"
 * match_regex = '^(?P<RemoteIP>\S+) \S+ \S+ \[(?P<Timestamp>[^\]]+)\] "(?P<Method>[A-Z]+) (?P<Url>\S+)'
 * timestamp_layout = "02/Jan/2006:15:04:05 -0700"
 * [nginx_access.message_fields]
 * Type = "nginx.access"
 * Url = "%Url%"
 */
export const PayloadRegexDecoder = defineDecoder({
  type: 'PayloadRegexDecoder',
  summary: 'Decodes the payload with an RE2 regular expression and named capture groups.',
  options,
  create: (o, ctx) => new PayloadRegexDecoderImpl(o, ctx.counters),
});
