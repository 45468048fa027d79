import path from 'node:path';
import { defineInput, type Input, type InputRunner, type Message, type PluginContext } from '@hekate/core';
import { FileFields } from './file-fields.js';
import { FileMatch } from './file-match.js';
import { Journal } from './journal.js';
import { fileInputOptions, type FileInputOptions } from './options.js';
import { PathDiscovery, type DiscoverySource } from './path-discovery.js';
import type { FileBatch, TailedFile } from './tailed-file.js';
import { Tailer, type TailerOptions } from './tailer.js';

/** Copies of a truncated file are recognised for this long after the truncation. */
const GHOST_TTL_MS = 60_000;

/** One FileInput section: tails its files and checkpoints what the outputs acknowledged. */
class FileInputPlugin implements Input {
  readonly #options: FileInputOptions;
  readonly #context: PluginContext;
  #tailer: Tailer | undefined;

  constructor(options: FileInputOptions, context: PluginContext) {
    this.#options = options;
    this.#context = context;
  }

  async run(runner: InputRunner): Promise<void> {
    const o = this.#options;
    const resolve = (p: string) => path.resolve(this.#context.configDir, p);
    const name = this.#context.name;
    const exclude = o.exclude.map(resolve);
    const match =
      o.file_match === undefined
        ? undefined
        : new FileMatch({ ...o, file_match: o.file_match, differentiator: o.differentiator ?? [name] });
    const source: DiscoverySource =
      match === undefined
        ? { kind: 'glob', include: (o.paths ?? []).map(resolve), exclude, stream: name }
        : { kind: 'logstreamer', directory: resolve(o.log_directory ?? '/var/log'), match, exclude };
    const options: TailerOptions = {
      fingerprintBytes: o.fingerprint_bytes,
      maxOpenFiles: o.max_open_files,
      followSymlinks: o.follow_symlinks,
      startAtTail: o.start_position === 'tail' || o.initial_tail === true,
      oldestMs: o.oldest_duration,
      deferMs: Math.max(2000, 4 * o.check_data_interval),
      ghostTtlMs: Math.max(GHOST_TTL_MS, 4 * o.rotate_wait),
      rotateWaitMs: o.rotate_wait,
      lineLimit: { maxBytes: o.max_line_bytes, action: o.line_limit_action },
      readBufferSize: o.read_buffer_size,
      rescanMs: o.rescan_interval,
      checkMs: o.check_data_interval,
      checkpointMs: o.checkpoint_interval,
      compare: match === undefined ? undefined : (a, b) => match.compare(a, b),
    };
    const journalDir = resolve(o.journal_directory ?? this.#context.stateDir);
    const tailer = new Tailer(options, {
      discovery: new PathDiscovery(source, o.follow_symlinks, runner.counters),
      journal: new Journal(journalDir, runner.logger, runner.counters),
      newSplitter: () => runner.splitter(),
      logger: runner.logger,
      counters: runner.counters,
      deliver: (file, batch) => this.#deliver(runner, file, batch),
    });
    this.#tailer = tailer;
    await tailer.run(runner.signal);
  }

  acknowledged(_stream: string, position: unknown): void {
    this.#tailer?.acknowledge(position);
  }

  #deliver(runner: InputRunner, file: TailedFile, batch: FileBatch): Promise<void> {
    const { records, offsets } = batch;
    const type = this.#options.message_type;
    const pathField = FileFields.pathField(file.path);
    const messages: Message[] = new Array<Message>(records.length);
    for (let i = 0; i < records.length; i++) {
      const message = runner.createMessage(records[i]!);
      message.type = type;
      message.logger = file.stream;
      message.setFieldSource(new FileFields(pathField, offsets[i]!));
      messages[i] = message;
    }
    return runner.deliver(messages, { stream: file.streamId, position: batch.position });
  }
}

/**
 * FileInput: tails files through rotation, truncation and restarts with an offset-based tailer,
 * checkpointing only what every matching output acknowledged.
 *
 * @example
 * [app_logs]
 * type = "FileInput"
 * paths = ["/var/log/app/*.log"]
 */
export const FileInput = defineInput({
  type: 'FileInput',
  summary: 'Tails log files through rotation and restarts, checkpointing only acknowledged lines.',
  options: fileInputOptions,
  commonDefaults: { splitter: 'TokenSplitter' },
  create: (options, context) => new FileInputPlugin(options, context),
});
