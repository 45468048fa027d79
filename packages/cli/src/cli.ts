import { errorMessage } from '@hekate/core';
import type { CommandContext } from './command.js';
import { UsageError } from './command.js';
import { parseFlags } from './args.js';
import { graphCommand } from './commands/graph.js';
import { pluginsCommand } from './commands/plugins.js';
import { queueCommand } from './commands/queue.js';
import { runCommand } from './commands/run.js';
import { validateCommand } from './commands/validate.js';
import { EXIT } from './exit-codes.js';
import { createCliLogger, LOG_LEVELS } from './logging.js';
import { formatConfigError, isConfigError } from './report-error.js';

const COMMANDS: Record<string, { run: (ctx: CommandContext) => Promise<number>; help: string }> = {
  run: { run: runCommand, help: 'run -config <file|dir>       Run a pipeline until SIGTERM/SIGINT or its inputs end.' },
  validate: { run: validateCommand, help: 'validate -config <file|dir>  Check the whole configuration; start nothing.' },
  plugins: { run: pluginsCommand, help: 'plugins [-config <path>]     List plugin types with their summaries.' },
  graph: { run: graphCommand, help: 'graph -config <path> [-format text|dot]  Show which plugin feeds which.' },
  cat: {
    // Imported on use: it needs @hekate/plugin-protobuf, which other commands do not load.
    run: async (ctx) => (await import('./commands/cat.js')).catCommand(ctx),
    help: 'cat <file> [-match <expr>] [-format txt|json|count] [-tail] [-offset <bytes>]  Read a file of Heka-framed messages (heka-cat).',
  },
  queue: { run: queueCommand, help: 'queue inspect <dir> | queue replay <file> -config <path>  Look inside disk queues; replay dead letters.' },
};

const FLAGS = {
  config: { type: 'string' },
  'log-level': { type: 'string', default: 'info' },
  format: { type: 'string' },
  match: { type: 'string', default: 'TRUE' },
  tail: { type: 'boolean' },
  offset: { type: 'string' },
  'max-message-size': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const;

function usage(): string {
  return ['usage: hekate <command> [flags]', '', ...Object.values(COMMANDS).map((c) => `  hekate ${c.help}`), '',
    'Flags: -config <path>, -log-level error|warn|info|debug, -help, -version.',
    'Exit codes: 0 clean stop, 1 run-time failure, 64 usage, 78 configuration error.', ''].join('\n');
}

/** Runs the `hekate` command line; returns the exit code. */
export async function main(argv: readonly string[], version: string): Promise<number> {
  let parsed;
  try {
    parsed = parseFlags(argv, FLAGS);
  } catch (error) {
    process.stderr.write(`hekate: ${errorMessage(error)}\n\n${usage()}`);
    return EXIT.USAGE;
  }
  const { values, positionals } = parsed;
  if (values.version === true) {
    process.stdout.write(`hekate ${version}\n`);
    return EXIT.OK;
  }
  // Like hekad, `hekate -config x.toml` with no command runs the pipeline.
  const name = positionals[0] ?? (values.config !== undefined ? 'run' : undefined);
  const command = name === undefined ? undefined : COMMANDS[name];
  if (values.help === true || command === undefined) {
    (command === undefined && name !== undefined ? process.stderr : process.stdout).write(
      (name !== undefined && command === undefined ? `hekate: unknown command "${name}"\n\n` : '') + usage(),
    );
    return name !== undefined && command === undefined ? EXIT.USAGE : EXIT.OK;
  }
  const level = values['log-level'] as string;
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    process.stderr.write(`hekate: -log-level must be one of ${LOG_LEVELS.join(', ')}\n`);
    return EXIT.USAGE;
  }
  const ctx: CommandContext = {
    flags: values,
    positionals: positionals.slice(positionals[0] === name ? 1 : 0),
    logger: createCliLogger(level as (typeof LOG_LEVELS)[number]),
    out: (text) => void process.stdout.write(text),
    configPath: () => {
      if (typeof values.config !== 'string') throw new UsageError(`"hekate ${name}" needs -config <file|dir>`);
      return values.config;
    },
  };
  try {
    return await command.run(ctx);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`hekate: ${error.message}\n`);
      return EXIT.USAGE;
    }
    if (isConfigError(error)) {
      process.stderr.write(formatConfigError(error));
      return EXIT.CONFIG;
    }
    process.stderr.write(`hekate: ${errorMessage(error)}\n`);
    return EXIT.FAILURE;
  }
}
