import { z } from 'zod';
import { defineOutput } from '../../plugins/define.js';
import { createStreamOutput } from './stream-output.js';

/**
 * LogOutput: writes each encoded message to standard output (Heka's LogOutput), PayloadEncoder by
 * default. A batch is acknowledged once stdout has taken it, so a slow reader slows the output
 * rather than filling memory.
 *
 * @example
 * [debug]
 * type = "LogOutput"
 * message_matcher = "TRUE"
 * encoder = "RstEncoder"
 */
export const LogOutput = defineOutput({
  type: 'LogOutput',
  summary: 'Writes encoded messages to standard output.',
  options: z.object({}).strict(),
  commonDefaults: { encoder: 'PayloadEncoder' },
  create: () => createStreamOutput('LogOutput', () => process.stdout),
});
