import { appendFileSync, closeSync, openSync, readdirSync, readlinkSync, writeSync } from 'node:fs';

/** `n` numbered lines `<prefix>-<i>` starting at `from`, each ending in "\n". */
export function numbered(prefix: string, from: number, n: number): string {
  let text = '';
  for (let i = from; i < from + n; i++) text += `${prefix}-${i}\n`;
  return text;
}

/** The texts of `numbered(prefix, from, n)`, as delivered (without newlines). */
export function expectedLines(prefix: string, from: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}-${from + i}`);
}

/** Appends text to a file (opening and closing it, as a logging library with O_APPEND does). */
export function append(file: string, text: string): void {
  appendFileSync(file, text);
}

/** A writer that keeps its descriptor, like an application whose log file gets rotated under it. */
export class Writer {
  readonly #fd: number;
  constructor(file: string) {
    this.#fd = openSync(file, 'a');
  }
  write(text: string): void {
    writeSync(this.#fd, text);
  }
  close(): void {
    closeSync(this.#fd);
  }
}

/** Open descriptors of this process that point under `dir`. */
export function openFilesUnder(dir: string): number {
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) n++;
    } catch {
      // Closed while listing.
    }
  }
  return n;
}

/** Asserts-free summary: how often each text occurs. */
export function counts(texts: readonly string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of texts) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}
