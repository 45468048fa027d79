import { Message, type Field, type FieldSource, type FieldValue } from '@hekate/core';

/** The headers a message had when it was decoded, to tell whether it changed since. */
export interface DecodedHeaders {
  readonly uuid: string;
  readonly timestamp: bigint;
  readonly type: string;
  readonly logger: string;
  readonly severity: number;
  readonly payload: string;
  readonly envVersion: string;
  readonly pid: number;
  readonly hostname: string;
}

/**
 * A message decoded from Heka protobuf bytes, which knows whether it is still exactly what its
 * `raw` bytes encode, so that ProtobufEncoder can write those bytes again instead of
 * re-serialising (Heka's "trust MsgBytes").
 *
 * Conservative by design: any header differing from the decoded value, another `raw`, or any
 * call that can change the field list (`fields =`, `addField`, `setField`, `removeField`,
 * `setFieldSource`) makes it count as changed for good. A clone is a plain Message, so it is
 * always re-encoded.
 */
export class DecodedHekaMessage extends Message {
  readonly #decoded: DecodedHeaders;
  readonly #bytes: Uint8Array;
  #fieldsChanged = false;

  constructor(bytes: Uint8Array, headers: DecodedHeaders, fields: FieldSource | undefined) {
    super(headers.timestamp);
    this.#decoded = headers;
    this.#bytes = bytes;
    this.raw = bytes;
    this.uuid = headers.uuid;
    this.type = headers.type;
    this.logger = headers.logger;
    this.severity = headers.severity;
    this.payload = headers.payload;
    this.envVersion = headers.envVersion;
    this.pid = headers.pid;
    this.hostname = headers.hostname;
    if (fields !== undefined) super.setFieldSource(fields);
  }

  /** True while the message is unchanged since decoding, so `raw` is its exact encoding. */
  get unchanged(): boolean {
    const d = this.#decoded;
    return (
      !this.#fieldsChanged &&
      this.raw === this.#bytes &&
      this.uuid === d.uuid &&
      this.timestamp === d.timestamp &&
      this.type === d.type &&
      this.logger === d.logger &&
      this.severity === d.severity &&
      this.payload === d.payload &&
      this.envVersion === d.envVersion &&
      this.pid === d.pid &&
      this.hostname === d.hostname
    );
  }

  override get fields(): readonly Field[] {
    return super.fields;
  }

  override set fields(fields: readonly Field[]) {
    this.#fieldsChanged = true;
    super.fields = fields;
  }

  override setFieldSource(source: FieldSource): void {
    this.#fieldsChanged = true;
    super.setFieldSource(source);
  }

  override addField(
    name: string,
    value: FieldValue | readonly FieldValue[],
    representation?: string,
  ): void {
    this.#fieldsChanged = true;
    super.addField(name, value, representation);
  }

  override setField(
    name: string,
    value: FieldValue | readonly FieldValue[],
    representation?: string,
  ): void {
    this.#fieldsChanged = true;
    super.setField(name, value, representation);
  }

  override removeField(name: string): number {
    this.#fieldsChanged = true;
    return super.removeField(name);
  }
}
