import { z } from 'zod';
import { defineInput, defineOutput } from '../../src/plugins/define.js';
import { createMessage, type Message } from '../../src/message/message.js';
import type { WriteResult } from '../../src/plugins/types.js';
import { PermanentError, RetryableError } from '../../src/errors.js';

/** A scripted source: batches to deliver, with the acknowledgements the pipeline reports. */
export interface Script {
  batches: { stream: string; position: number; payloads: string[] }[];
  acknowledged: { stream: string; position: number }[];
  /** Keep running after the batches until stopped (true) or finish (false). */
  linger: boolean;
  /** Deliver without checkpoints, like an input that cannot replay (stdin, a TCP listener). */
  untracked?: boolean;
}

/** A script object tests share with the ScriptInput they configure. */
export const scripts = new Map<string, Script>();

/** An input that delivers the batches of `scripts.get(script)` and records acknowledgements. */
export const ScriptInput = defineInput({
  type: 'ScriptInput',
  summary: 'Delivers scripted batches (tests only).',
  options: z.object({ script: z.string() }).strict(),
  create: ({ script }) => {
    const s = scripts.get(script)!;
    return {
      async run(runner) {
        for (const b of s.batches) {
          if (runner.signal.aborted) return;
          const messages = b.payloads.map((p) => runner.createMessage(p));
          await (s.untracked === true ? runner.deliver(messages) : runner.deliver(messages, { stream: b.stream, position: b.position }));
        }
        if (s.linger) await new Promise((resolve) => runner.signal.addEventListener('abort', resolve, { once: true }));
      },
      acknowledged(stream, position) {
        s.acknowledged.push({ stream, position: position as number });
      },
    };
  },
});

/** How a TestOutput behaves on a write. */
export type Behaviour = (batch: readonly Message[], attempt: number) => WriteResult | void | Promise<WriteResult | void>;

/** Behaviours and written messages of TestOutputs, by `id`. */
export const sinks = new Map<string, { behaviour: Behaviour; written: string[]; attempts: number[] }>();

/** An output whose behaviour a test scripts; it records what it wrote. */
export const TestOutput = defineOutput({
  type: 'TestOutput',
  summary: 'Records writes and fails on demand (tests only).',
  options: z.object({ id: z.string(), batch: z.number().default(1), linger_ms: z.number().default(0) }).strict(),
  create: ({ id, batch, linger_ms }) => {
    const sink = sinks.get(id)!;
    let attempt = 0;
    return {
      batching: { maxMessages: batch, lingerMs: linger_ms },
      async write(b) {
        attempt++;
        sink.attempts.push(Date.now());
        const result = await sink.behaviour(b.messages, attempt);
        const failed = new Set([...(result?.rejected ?? []).map((r) => r.index), ...(result?.retry ?? [])]);
        b.messages.forEach((m, i) => {
          if (!failed.has(i)) sink.written.push(m.payload);
        });
        if (result === undefined || (result.retry ?? []).length === 0) attempt = 0;
        return result;
      },
    };
  },
});

/** A sink that accepts everything. */
export function acceptAll(id: string): { behaviour: Behaviour; written: string[]; attempts: number[] } {
  const sink: { behaviour: Behaviour; written: string[]; attempts: number[] } = { behaviour: () => undefined, written: [], attempts: [] };
  sinks.set(id, sink);
  return sink;
}

/** Fails `times` writes with a retryable error, then accepts. */
export function failFirst(id: string, times: number) {
  let failures = 0;
  const sink = {
    behaviour: () => {
      if (failures++ < times) throw new RetryableError('down');
    },
    written: [] as string[],
    attempts: [] as number[],
  };
  sinks.set(id, sink);
  return sink;
}

/** Refuses messages whose payload includes `bad` for good, accepting the rest. */
export function rejectBad(id: string): { behaviour: Behaviour; written: string[]; attempts: number[] } {
  const sink: { behaviour: Behaviour; written: string[]; attempts: number[] } = {
    behaviour: (batch) => ({
      rejected: batch.flatMap((m, index) => (m.payload.includes('bad') ? [{ index, reason: 'bad row' }] : [])),
    }),
    written: [] as string[],
    attempts: [] as number[],
  };
  sinks.set(id, sink);
  return sink;
}

export { createMessage, PermanentError };
