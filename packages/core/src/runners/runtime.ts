import type { GlobalOptions } from '../config/common-options.js';
import type { Logger } from '../logger.js';
import type { Message } from '../message/message.js';
import { DELIVERY, LOOPS } from '../message/slots.js';
import type { MemoryBudget } from '../queue/memory-budget.js';
import type { Router } from '../router/router.js';
import type { Counters } from './counters.js';

/** What every runner of one pipeline shares. */
export class Runtime {
  constructor(
    readonly router: Router,
    readonly budget: MemoryBudget,
    readonly global: GlobalOptions,
    readonly hostname: string,
    readonly logger: Logger,
    /** Pipeline-level counters (loops refused, unroutable dead letters, …). */
    readonly counters: Counters,
  ) {}

  /**
   * Routes a message made from `parent` (a filter's injection or a dead letter), tying it to the
   * parent's delivery so the parent is acknowledged only once this one is. Applies Heka's loop
   * protection. Returns the number of subscribers that took it, or -1 when it was refused.
   */
  injectDerived(message: Message, parent: Message | undefined, source: string): number {
    const loops = (parent?.[LOOPS] ?? 0) + 1;
    if (loops > Math.max(1, this.global.max_message_loops)) {
      this.counters.add('messages_looped');
      this.logger.error('Message dropped: it was re-injected more than max_message_loops times.', {
        plugin: source,
        type: message.type,
        max_message_loops: this.global.max_message_loops,
      });
      return -1;
    }
    message[LOOPS] = loops;
    message[DELIVERY] = parent?.[DELIVERY];
    return this.router.route([message]);
  }
}
