import { watch, type FSWatcher } from 'node:fs';
import path from 'node:path';

/**
 * Wake-up hints: `fs.watch` on directories, and a wait that ends on a hint, a timeout or an
 * abort. Hints only shorten waits; stat polling stays the source of truth, so a watcher that
 * fails (inotify limits, network filesystems) costs latency, never data.
 */
export class Wake {
  readonly #watchers = new Map<string, FSWatcher>();
  readonly #onEvent: (dir: string, event: string, name: string | null) => void;
  readonly #maxWatchers: number;
  #pending = false;
  #resolve: (() => void) | undefined;

  constructor(onEvent: (dir: string, event: string, name: string | null) => void, maxWatchers = 256) {
    this.#onEvent = onEvent;
    this.#maxWatchers = maxWatchers;
  }

  /** Ends the current (or next) wait. */
  notify(): void {
    this.#pending = true;
    this.#resolve?.();
  }

  /** Waits up to `ms` for a notification; returns at once if one came since the last wait. */
  async wait(ms: number, signal: AbortSignal): Promise<void> {
    if (this.#pending || signal.aborted || ms <= 0) {
      this.#pending = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        this.#resolve = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      this.#resolve = done;
    });
    this.#pending = false;
  }

  /** Watches exactly `dirs` (starting new watchers, closing those no longer wanted). */
  watchDirs(dirs: Iterable<string>): void {
    const wanted = new Set([...dirs].map((d) => path.resolve(d)));
    for (const [dir, watcher] of this.#watchers) {
      if (!wanted.has(dir)) {
        watcher.close();
        this.#watchers.delete(dir);
      }
    }
    for (const dir of wanted) {
      if (this.#watchers.has(dir) || this.#watchers.size >= this.#maxWatchers) continue;
      try {
        const watcher = watch(dir, { persistent: false }, (event, name) => {
          this.#onEvent(dir, event, name);
          this.notify();
        });
        watcher.on('error', () => {
          watcher.close();
          this.#watchers.delete(dir);
        });
        this.#watchers.set(dir, watcher);
      } catch {
        // Missing directory or no inotify watches left: polling covers it.
      }
    }
  }

  /** Closes every watcher. */
  close(): void {
    for (const watcher of this.#watchers.values()) watcher.close();
    this.#watchers.clear();
    this.#resolve?.();
  }
}
