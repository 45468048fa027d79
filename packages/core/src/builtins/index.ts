/** Hekate's built-in plugin types, registered in every pipeline. */
import type { PluginDefinition } from '../plugins/types.js';
import { MultiDecoder } from './decoders/multi-decoder.js';
import { JsonDecoder } from './decoders/json-decoder.js';
import { PayloadRegexDecoder } from './decoders/payload-regex-decoder.js';
import { JsonEncoder } from './encoders/json-encoder.js';
import { PayloadEncoder } from './encoders/payload-encoder.js';
import { RstEncoder } from './encoders/rst-encoder.js';
import { CounterFilter } from './filters/counter-filter.js';
import { JsFilter } from './filters/js-filter.js';
import { StdinInput } from './inputs/stdin-input.js';
import { FileOutput } from './outputs/file-output.js';
import { LogOutput } from './outputs/log-output.js';
import { NullOutput } from './outputs/null-output.js';
import { NullSplitter } from './splitters/null-splitter.js';
import { RegexSplitter } from './splitters/regex-splitter.js';
import { TokenSplitter } from './splitters/token-splitter.js';

export {
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
};
export type { JsFilterModule } from './filters/js-filter.js';

/** Every built-in plugin type: inputs, splitters, decoders, filters, encoders, outputs. */
export const builtinPlugins: PluginDefinition[] = [
  StdinInput,
  NullSplitter,
  TokenSplitter,
  RegexSplitter,
  JsonDecoder,
  PayloadRegexDecoder,
  MultiDecoder,
  CounterFilter,
  JsFilter,
  PayloadEncoder,
  JsonEncoder,
  RstEncoder,
  LogOutput,
  NullOutput,
  FileOutput,
];
