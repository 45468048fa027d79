import protobuf from 'protobufjs';

/**
 * Heka's wire schema (`message/message.proto`, reference heka.md §1): the `Message` every Heka node
 * exchanges, its typed `Field`s, and the stream-framing `Header`. Written from the published
 * schema; proto2, package `message` as in Heka.
 */
export const HEKA_MESSAGE_PROTO = `
syntax = "proto2";
package message;

message Header {
  enum HmacHashFunction {
    MD5 = 0;
    SHA1 = 1;
  }
  required uint32 message_length = 1;
  optional HmacHashFunction hmac_hash_function = 3 [default = MD5];
  optional string hmac_signer = 4;
  optional uint32 hmac_key_version = 5;
  optional bytes hmac = 6;
}

message Field {
  enum ValueType {
    STRING = 0;
    BYTES = 1;
    INTEGER = 2;
    DOUBLE = 3;
    BOOL = 4;
  }
  required string name = 1;
  optional ValueType value_type = 2 [default = STRING];
  optional string representation = 3;
  repeated string value_string = 4;
  repeated bytes value_bytes = 5;
  repeated int64 value_integer = 6 [packed = true];
  repeated double value_double = 7 [packed = true];
  repeated bool value_bool = 8 [packed = true];
}

message Message {
  required bytes uuid = 1;
  required int64 timestamp = 2;
  optional string type = 3;
  optional string logger = 4;
  optional int32 severity = 5 [default = 7];
  optional string payload = 6;
  optional string env_version = 7;
  optional int32 pid = 8;
  optional string hostname = 9;
  repeated Field fields = 10;
}
`;

/** protobufjs reflection types of Heka's schema. */
export interface HekaTypes {
  readonly Message: protobuf.Type;
  readonly Field: protobuf.Type;
  readonly Header: protobuf.Type;
}

let types: HekaTypes | undefined;

/**
 * protobufjs types for {@link HEKA_MESSAGE_PROTO}, parsed on first use with the schema's own field
 * names (`env_version`, `value_type`). The plugins' hot path uses a dedicated codec that is tested
 * byte for byte against these; tools and tests use them as the reference.
 */
export function hekaTypes(): HekaTypes {
  if (types === undefined) {
    const { root } = protobuf.parse(HEKA_MESSAGE_PROTO, { keepCase: true });
    types = {
      Message: root.lookupType('message.Message'),
      Field: root.lookupType('message.Field'),
      Header: root.lookupType('message.Header'),
    };
  }
  return types;
}
