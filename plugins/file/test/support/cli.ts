import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built `hekate` command (packages/cli), from this file's place in plugins/file/dist/test. */
export const CLI = fileURLToPath(new URL('../../../../../packages/cli/dist/src/main.js', import.meta.url));

/** A running `hekate run` process. */
export class Router {
  readonly child: ChildProcess;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  readonly #logFile: string;

  /** Starts `hekate run -config <config>`; its stderr is appended to `<config>.log`. */
  constructor(config: string) {
    this.#logFile = `${config}.log`;
    const log = createWriteStream(this.#logFile, { flags: 'a' });
    this.child = spawn(process.execPath, [CLI, 'run', '-config', config], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child.stderr!.pipe(log);
    this.exited = new Promise((resolve) => this.child.on('exit', (code, signal) => resolve({ code, signal })));
  }

  /** Peak resident memory so far (VmHWM), in bytes; undefined once the process is gone. */
  peakRss(): number | undefined {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${this.child.pid}/status`, 'utf8'));
      return m === null ? undefined : Number(m[1]) * 1024;
    } catch {
      return undefined;
    }
  }

  /** Sends a signal and waits for the process to end. */
  async kill(signal: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    this.child.kill(signal);
    return this.exited;
  }

  /** Polls `predicate` until it holds; fails early, with the log, if the router exits. */
  async until(predicate: () => boolean, ms: number, what: string): Promise<void> {
    await waitFor(() => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`The router exited (${this.child.exitCode ?? this.child.signalCode}) while waiting for ${what}:\n${this.log()}`);
      }
      return predicate();
    }, ms, what);
  }

  /** The router's log so far (for failure messages). */
  log(): string {
    try {
      return readFileSync(this.#logFile, 'utf8').slice(-4000);
    } catch {
      return '';
    }
  }
}

/** Writes a pipeline config: `[hekate]` with base_dir and `globals`, then the given sections. */
export function writeConfig(dir: string, sections: string, globals = ''): string {
  const file = path.join(dir, 'pipeline.toml');
  writeFileSync(file, `[hekate]\nbase_dir = ${JSON.stringify(path.join(dir, 'state'))}\n${globals}\n${sections}`);
  return file;
}

/** Polls `predicate` every 20 ms until it holds; throws after `ms` with `what`. */
export async function waitFor(predicate: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${ms} ms waiting for ${what}.`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
