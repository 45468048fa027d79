import type { PluginDefinition } from '@hekate/core';
import { HekaFramingSplitter } from './plugins/heka-framing-splitter.js';
import { ProtobufDecoder } from './plugins/protobuf-decoder.js';
import { ProtobufEncoder } from './plugins/protobuf-encoder.js';
import { SchemaDecoder } from './plugins/schema-decoder.js';
import { SchemaEncoder } from './plugins/schema-encoder.js';
import { TcpInput } from './plugins/tcp-input.js';
import { TcpOutput } from './plugins/tcp-output.js';

export {
  HekaFramingSplitter,
  ProtobufDecoder,
  ProtobufEncoder,
  SchemaDecoder,
  SchemaEncoder,
  TcpInput,
  TcpOutput,
};
export { decodeHekaMessage } from './heka/decode-message.js';
export { encodeHekaMessage } from './heka/encode-message.js';
export { DecodedHekaMessage } from './heka/decoded-message.js';
export {
  frameSigned,
  decodeFrameHeader,
  type FrameHeader,
  type FrameSigner,
  type HmacHash,
} from './heka/frame-header.js';
export {
  scanFrames,
  MAX_FRAME_OVERHEAD,
  type FrameRejection,
  type FrameScanOptions,
} from './heka/frame-scanner.js';
export { createSigner, SignatureVerifier, type VerifyOutcome } from './heka/signing.js';
export { readFrameFile, type FrameFileOptions, type FrameFileStats } from './heka/frame-file.js';
export { HEKA_MESSAGE_PROTO, hekaTypes, type HekaTypes } from './heka/heka-proto.js';

/** The plugin types this package provides. */
export const plugins: PluginDefinition[] = [
  TcpInput,
  HekaFramingSplitter,
  ProtobufDecoder,
  SchemaDecoder,
  ProtobufEncoder,
  SchemaEncoder,
  TcpOutput,
];
