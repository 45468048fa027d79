/**
 * Internal per-message bookkeeping, keyed by symbols that core does not export: which delivery a
 * message belongs to (for end-to-end acknowledgement) and how many times it was re-injected.
 */

/** The acknowledgement handle a message holds; see delivery/delivery.ts. */
export interface DeliveryRef {
  /**
   * True when someone waits for the acknowledgement and keeps its copy until then (an input that
   * replays what was not acknowledged, a caller awaiting `inject`); false when nobody would notice
   * a message lost in a crash (stdin, a TCP listener).
   */
  readonly tracked: boolean;
  hold(count?: number): void;
  release(count?: number): void;
}

/** Slot: the delivery the message counts against. */
export const DELIVERY = Symbol('hekate.delivery');
/** Slot: how many injections led to this message (Heka's MsgLoopCount). */
export const LOOPS = Symbol('hekate.loops');
