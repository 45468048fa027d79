import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { crc32 } from 'node:zlib';

/**
 * Oracle lines (reliability-plan §5.1): `seq=<n> crc=<crc32 of payload> <payload>`, so a checker
 * can tell missing, repeated and corrupt lines apart.
 */
export function oracleLine(seq: number, payload: string): string {
  return `seq=${seq} crc=${crc32(payload).toString(16)} ${payload}`;
}

/** `count` oracle lines from `from`, newline-terminated, with a payload of about `width` bytes. */
export function oracleLines(from: number, count: number, width = 40): string {
  let text = '';
  for (let seq = from; seq < from + count; seq++) {
    const payload = `p${seq}-`.padEnd(width - (seq % 7), 'x');
    text += `${oracleLine(seq, payload)}\n`;
  }
  return text;
}

const LINE = /^seq=(\d+) crc=([0-9a-f]+) (.*)$/;

/**
 * Reads an output file incrementally and keeps score: how often each seq arrived, and which
 * lines are corrupt (unparseable, CRC mismatch, NUL bytes).
 */
export class OracleChecker {
  readonly #file: string;
  readonly #seen: Uint8Array;
  #position = 0;
  #rest = '';
  received = 0;
  unique = 0;
  duplicates = 0;
  readonly corrupt: string[] = [];

  constructor(file: string, total: number) {
    this.#file = file;
    this.#seen = new Uint8Array(total);
  }

  /** Reads what was appended since the last call. */
  poll(): void {
    let size: number;
    try {
      size = statSync(this.#file).size;
    } catch {
      return;
    }
    if (size <= this.#position) return;
    const fd = openSync(this.#file, 'r');
    try {
      const buf = Buffer.allocUnsafe(Math.min(size - this.#position, 64 * 1024 * 1024));
      const n = readSync(fd, buf, 0, buf.length, this.#position);
      this.#position += n;
      const text = this.#rest + buf.toString('utf8', 0, n);
      const lines = text.split('\n');
      this.#rest = lines.pop()!;
      for (const line of lines) this.#check(line);
    } finally {
      closeSync(fd);
    }
  }

  /** The file was cut back to `size` bytes (a torn last line removed): read on from there. */
  truncated(size: number): void {
    if (this.#position > size) {
      this.#position = size;
      this.#rest = '';
    }
  }

  /** Seqs in [0, total) never received. */
  missing(total = this.#seen.length): number[] {
    const out: number[] = [];
    for (let seq = 0; seq < total; seq++) if (this.#seen[seq] === 0) out.push(seq);
    return out;
  }

  /** True once every seq in [0, total) arrived. */
  complete(total = this.#seen.length): boolean {
    return this.unique >= total && this.missing(total).length === 0;
  }

  #check(line: string): void {
    const m = LINE.exec(line);
    if (m === null || line.includes('\u0000') || crc32(m[3]!).toString(16) !== m[2]) {
      this.corrupt.push(line.slice(0, 120));
      return;
    }
    const seq = Number(m[1]);
    this.received++;
    if (this.#seen[seq]! > 0) this.duplicates++;
    else this.unique++;
    this.#seen[seq] = Math.min(255, this.#seen[seq]! + 1);
  }
}

/** A small seeded PRNG (mulberry32), so fault points can be replayed from the printed seed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
