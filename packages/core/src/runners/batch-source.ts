import type { Message } from '../message/message.js';
import type { BatchPolicy } from '../plugins/types.js';

/** A batch taken from a source, and how to acknowledge it there once it is handled. */
export interface SourcedBatch {
  readonly messages: Message[];
  /** Acknowledges the whole batch at its source (it was written, dead-lettered or dropped). */
  acknowledge(): Promise<void>;
}

/**
 * Where an output runner takes its batches from: its in-memory queue, or its disk queue when
 * `use_buffering` is on.
 */
export interface BatchSource {
  /** Messages waiting. */
  readonly length: number;
  /**
   * True when nothing is left to write: a draining runner stops then. (When the shutdown timeout
   * cuts a drain short, what a disk queue still holds is durable and is written after the next
   * start.)
   */
  readonly settled: boolean;
  /**
   * Waits until there is something to take (or `wake` resolves), lingers up to the policy's
   * `lingerMs` for a fuller batch unless `hurry` is set, and takes a batch; undefined when woken
   * with nothing to take.
   */
  take(policy: BatchPolicy, wake: Promise<void>, hurry: boolean): Promise<SourcedBatch | undefined>;
  /**
   * Starts taking messages in (a disk queue starts spooling), before the output is open.
   * `deadLetter` takes messages the source cannot hold (one a disk queue cannot encode).
   */
  start(deadLetter: (messages: readonly Message[], reason: string) => void): void;
  /** Releases resources; called once the runner is done with the source. */
  close(): Promise<void>;
}
