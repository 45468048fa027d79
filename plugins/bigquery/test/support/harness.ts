import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Logger, Message, Pipeline } from '@hekate/core';
import { defineBqOutput } from '../../src/index.js';
import { fakeAuthClient } from './fake-auth.js';

/** BqOutput with a fake token: requests reach only the loopback endpoint under test. */
export const TestBqOutput = defineBqOutput({ authClient: fakeAuthClient() });

/** A seeded PRNG (mulberry32), so a failing fault pattern can be replayed from its seed. */
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

/** A temporary directory (in `parent`, the system's by default) holding `files`. */
export async function tempDir(
  files: Record<string, string> = {},
  parent = tmpdir(),
): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(path.join(parent, 'hekate-bq-'));
  for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** Routes messages in chunks, a few chunks in flight, and resolves once all are acknowledged. */
export async function injectAll(
  pipeline: Pipeline,
  messages: readonly Message[],
  chunk = 1000,
  inFlight = 8,
): Promise<void> {
  const pending = new Set<Promise<void>>();
  for (let i = 0; i < messages.length; i += chunk) {
    const p: Promise<void> = pipeline.inject(messages.slice(i, i + chunk)).then(() => void pending.delete(p));
    pending.add(p);
    if (pending.size >= inFlight) await Promise.race(pending);
  }
  await Promise.all(pending);
}

/** A dead letter as a test sees it. */
export interface DeadLetter {
  uuid: string;
  reason: string;
}

/** Collects the dead letters of a pipeline. */
export function collectDeadLetters(pipeline: Pipeline): DeadLetter[] {
  const letters: DeadLetter[] = [];
  pipeline.subscribe("Type == 'hekate.dead_letter'", (m) => {
    letters.push({ uuid: m.uuid, reason: String(m.value('dead_letter.reason')) });
  });
  return letters;
}

/** A logged line. */
export interface LogLine {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

/** A logger that keeps every line, for tests that check what an operator would read. */
export function recordingLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const make = (bindings: Record<string, unknown>): Logger => {
    const at = (level: string) => (message: string, fields?: Record<string, unknown>) => {
      lines.push({ level, message, fields: { ...bindings, ...fields } });
    };
    return {
      error: at('error'),
      warn: at('warn'),
      info: at('info'),
      debug: at('debug'),
      child: (more) => make({ ...bindings, ...more }),
    };
  };
  return { logger: make({}), lines };
}
