import path from 'node:path';
import protobuf from 'protobufjs';
import protojson from 'protobufjs/ext/protojson.js';
import { errorMessage } from '@hekate/core';

/** The WKT package, whose types keep their own ProtoJSON forms (timestamps as RFC 3339 text, …). */
const WELL_KNOWN = '.google.protobuf.';
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

/**
 * A message type from a user's `.proto` file, loaded on first use (plugin construction does no
 * I/O) with the file's own field names (`keepCase`). A file that cannot be loaded fails every
 * use with the same error.
 */
export class UserSchema {
  readonly file: string;
  readonly typeName: string;
  #type: protobuf.Type | undefined;
  #failure: Error | undefined;

  /** @param file The `.proto` path, resolved from `configDir` when relative. */
  constructor(file: string, typeName: string, configDir: string) {
    this.file = path.resolve(configDir, file);
    this.typeName = typeName;
  }

  /**
   * The message type.
   * @throws Error saying why the file or the type could not be loaded (every call, once failed).
   */
  type(): protobuf.Type {
    if (this.#type !== undefined) return this.#type;
    if (this.#failure === undefined) {
      try {
        const root = new protobuf.Root().loadSync(this.file, { keepCase: true });
        root.resolveAll();
        this.#type = root.lookupType(this.typeName);
        return this.#type;
      } catch (error) {
        this.#failure = new Error(
          `cannot load message type ${this.typeName} from ${this.file}: ${errorMessage(error)}`,
        );
      }
    }
    throw this.#failure;
  }
}

/**
 * A message as canonical ProtoJSON (the proto3 JSON mapping: defaults omitted, enums by name,
 * bytes as base64, well-known types in their JSON forms), with two changes that suit log
 * fields: keys are the `.proto` field names rather than lowerCamelCase, and 64-bit integers are
 * JSON numbers when they are safe integers (text otherwise, as ProtoJSON writes them).
 */
export function canonicalJson(
  type: protobuf.Type,
  message: protobuf.Message | Record<string, unknown>,
): Record<string, unknown> {
  return protoNamed(type, protojson.toJson(type, message) as Record<string, unknown>);
}

function protoNamed(type: protobuf.Type, json: Record<string, unknown>): Record<string, unknown> {
  if (type.fullName.startsWith(WELL_KNOWN)) return json;
  const out: Record<string, unknown> = {};
  for (const field of type.fieldsArray) {
    if (!Object.hasOwn(json, field.jsonName)) continue;
    const value = json[field.jsonName];
    let converted: unknown;
    if (field.map) {
      const map: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>))
        Object.defineProperty(map, k, { value: singular(field, v), enumerable: true });
      converted = map;
    } else if (field.repeated) {
      converted = (value as unknown[]).map((v) => singular(field, v));
    } else {
      converted = singular(field, value);
    }
    Object.defineProperty(out, field.name, { value: converted, enumerable: true });
  }
  return out;
}

function singular(field: protobuf.Field, value: unknown): unknown {
  if (field.resolvedType instanceof protobuf.Type && value !== null && typeof value === 'object') {
    return protoNamed(field.resolvedType, value as Record<string, unknown>);
  }
  if (LONG_TYPES.has(field.type) && typeof value === 'string') {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : value;
  }
  return value;
}
