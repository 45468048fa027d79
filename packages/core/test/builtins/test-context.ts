import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LogFields, Logger } from '../../src/logger.js';
import type { Message } from '../../src/message/message.js';
import type {
  Decoder,
  FilterRunner,
  OutputRunner,
  PluginContext,
  PluginDefinition,
  PluginInstances,
  PluginKind,
} from '../../src/plugins/types.js';
import { ConfigError } from '../../src/errors.js';
import { Counters } from '../../src/runners/counters.js';

/** One line a plugin logged. */
export interface LogEntry {
  level: 'error' | 'warn' | 'info' | 'debug';
  message: string;
  fields: LogFields | undefined;
}

/** A logger that keeps what it is given. */
export function collectingLogger(logs: LogEntry[] = []): Logger & { logs: LogEntry[] } {
  const at = (level: LogEntry['level']) => (message: string, fields?: LogFields) => {
    logs.push({ level, message, fields });
  };
  const logger = {
    logs,
    error: at('error'),
    warn: at('warn'),
    info: at('info'),
    debug: at('debug'),
    child: () => logger,
  };
  return logger;
}

const made: string[] = [];
process.on('exit', () => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary directory, removed when the test process exits. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hekate-builtins-'));
  made.push(dir);
  return dir;
}

/** A plugin context for unit tests, with its collected logs and counters exposed. */
export interface TestContext extends PluginContext {
  readonly logs: LogEntry[];
  readonly counters: Counters;
}

/** Makes a test context; `decoders` backs `createDecoder`. */
export function testContext(
  init: { name?: string; type?: string; decoders?: Record<string, Decoder> } = {},
): TestContext {
  const root = tempDir();
  const logger = collectingLogger();
  const decoders = new Map(Object.entries(init.decoders ?? {}));
  return {
    name: init.name ?? 'test',
    type: init.type ?? 'Test',
    logger,
    logs: logger.logs,
    configDir: root,
    stateDir: join(root, 'state'),
    hostname: 'test-host',
    counters: new Counters(),
    createDecoder(name: string): Decoder {
      const decoder = decoders.get(name);
      if (decoder === undefined) throw new ConfigError(`no decoder section named "${name}"`);
      return decoder;
    },
  };
}

/** Parses `options` with the definition's schema and creates the plugin. */
export function make<K extends PluginKind>(
  def: PluginDefinition<K>,
  options: Record<string, unknown> = {},
  ctx: PluginContext = testContext({ type: def.type }),
): PluginInstances[K] {
  return def.create(def.options.parse(options), ctx);
}

/** A filter runner that records injections and can refuse them like the real one. */
export function fakeFilterRunner(refuse?: (message: Message) => boolean): FilterRunner & { injected: Message[] } {
  const injected: Message[] = [];
  const logger = collectingLogger();
  return {
    name: 'filter',
    logger,
    counters: new Counters(),
    injected,
    inject(message: Message) {
      if (refuse?.(message) === true) throw new Error('inject refused');
      injected.push(message);
    },
  };
}

/** An output runner for calling outputs directly. */
export function fakeOutputRunner(): OutputRunner & { counters: Counters; logs: LogEntry[] } {
  const logger = collectingLogger();
  return {
    name: 'output',
    logger,
    logs: logger.logs,
    counters: new Counters(),
    signal: new AbortController().signal,
  };
}
