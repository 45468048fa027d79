// The public API of @hekate/core. Plugin packages and the CLI import only from here.

export { Message, createMessage, nanosFromMillis, type MessageInit } from './message/message.js';
export { createField, valueTypeOf, type Field, type FieldInit, type FieldValue, type ValueType } from './message/field.js';
export type { FieldSource } from './message/field-source.js';
export { HEADER_NAMES, isHeaderName, type HeaderName } from './message/header-names.js';
export { encodeMessage, decodeMessage } from './message/message-codec.js';

export {
  compileMatcher,
  DEFAULT_MAX_DEPTH,
  DEFAULT_MAX_LENGTH,
  explainMatcher,
  formatExplanation,
  MatcherSyntaxError,
  type Explanation,
  type MatcherOptions,
  type MatcherPredicate,
  type MatcherSyntaxErrorInit,
} from './matcher/index.js';

export {
  HekateError,
  ConfigError,
  UnknownPluginTypeError,
  PluginLoadError,
  DecodeError,
  EncodeError,
  RetryableError,
  PermanentError,
  FatalPluginError,
  hasCode,
  errorMessage,
  type ConfigLocation,
} from './errors.js';

export { stderrLogger, silentLogger, type Logger, type LogFields } from './logger.js';

export { duration, byteSize, parseDuration, parseByteSize } from './config/units.js';
export { retriesSchema, bufferingSchema, type RetryOptions, type GlobalOptions } from './config/common-options.js';

export { defineInput, defineSplitter, defineDecoder, defineFilter, defineEncoder, defineOutput, kindOfType } from './plugins/define.js';
export type {
  PluginKind,
  PluginDefinition,
  PluginContext,
  PluginCounters,
  PluginInstances,
  SplitRecord,
  Checkpoint,
  SplitterStream,
  Input,
  InputRunner,
  Splitter,
  Decoder,
  Encoder,
  Filter,
  FilterRunner,
  Output,
  OutputRunner,
  OutputBatch,
  WriteResult,
  BatchPolicy,
} from './plugins/types.js';

export { PluginRegistry, isPluginDefinition } from './registry/plugin-registry.js';
export { PLUGIN_API_VERSION, loadPluginModule, discoverPlugins } from './registry/plugin-loader.js';
export { FIRST_PARTY_PACKAGES } from './registry/first-party.js';

export { DEAD_LETTER_TYPE, createDeadLetter, restoreDeadLetter, type DeadLetterReason } from './runners/dead-letter.js';
export { backoffDelay } from './runners/backoff.js';
export { Counters } from './runners/counters.js';
export { frameHekaRecord, RECORD_SEPARATOR, UNIT_SEPARATOR } from './runners/heka-framing.js';
export { RecordPacker } from './builtins/shared/record-packer.js';

export { DiskQueue, inspectQueue, QueueFullError, QueueClosedError } from './queue/disk-queue.js';
export type {
  DiskQueueOptions,
  FsyncPolicy,
  QueueRecord,
  QueueStats,
  QueueInspection,
  SegmentInspection,
  QueuePosition,
} from './queue/disk-queue.js';

export { Pipeline, type PipelineOptions, type PipelineExit, type PipelineStats } from './pipeline/pipeline.js';
export type { PipelinePlan } from './pipeline/plan.js';
export type { PlannedSection } from './pipeline/section.js';

export {
  builtinPlugins,
  CounterFilter,
  FileOutput,
  JsFilter,
  JsonDecoder,
  JsonEncoder,
  LogOutput,
  MultiDecoder,
  NullOutput,
  NullSplitter,
  PayloadEncoder,
  PayloadRegexDecoder,
  RegexSplitter,
  RstEncoder,
  StdinInput,
  TokenSplitter,
  type JsFilterModule,
} from './builtins/index.js';
