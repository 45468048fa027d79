/**
 * Internal per-message bookkeeping, keyed by symbols that core does not export: which delivery a
 * message belongs to (for end-to-end acknowledgement) and how many times it was re-injected.
 */

/** The acknowledgement handle a message holds; see delivery/delivery.ts. */
export interface DeliveryRef {
  hold(count?: number): void;
  release(count?: number): void;
}

/** Slot: the delivery the message counts against. */
export const DELIVERY = Symbol('hekate.delivery');
/** Slot: how many injections led to this message (Heka's MsgLoopCount). */
export const LOOPS = Symbol('hekate.loops');
