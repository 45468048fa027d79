import { z } from 'zod';
import { DecodeError, errorMessage } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Message } from '../../message/message.js';
import { defineDecoder } from '../../plugins/define.js';
import type { Decoder } from '../../plugins/types.js';

const options = z
  .object({
    subs: z.array(z.string().min(1)).min(1).describe('Decoder section names, tried in order.'),
    cascade_strategy: z
      .enum(['first-wins', 'all'])
      .default('first-wins')
      .describe('first-wins: stop at the first sub that succeeds; all: apply every sub in turn.'),
    log_sub_errors: z.boolean().default(false).describe('Log each failing sub-decoder.'),
  })
  .strict();

type MultiDecoderOptions = z.output<typeof options>;

type Result = ReturnType<Decoder['decode']>;

function append(out: Message[], result: Result): void {
  if (result === undefined) return;
  if (Array.isArray(result)) out.push(...(result as readonly Message[]));
  else out.push(result as Message);
}

class MultiDecoderImpl implements Decoder {
  readonly #subs: readonly [string, Decoder][];
  readonly #all: boolean;
  readonly #logger: Logger | undefined;

  constructor(o: MultiDecoderOptions, subs: readonly [string, Decoder][], logger: Logger) {
    this.#subs = subs;
    this.#all = o.cascade_strategy === 'all';
    this.#logger = o.log_sub_errors ? logger : undefined;
  }

  decode(message: Message): Result {
    const errors: string[] = [];
    if (!this.#all) {
      for (const [name, sub] of this.#subs) {
        try {
          return sub.decode(message);
        } catch (error) {
          this.#failed(name, error, errors);
        }
      }
      throw new DecodeError(`no sub-decoder succeeded: ${errors.join('; ')}`);
    }
    let current: Message[] = [message];
    let succeeded = false;
    for (const [name, sub] of this.#subs) {
      const next: Message[] = [];
      for (const m of current) {
        try {
          append(next, sub.decode(m));
          succeeded = true;
        } catch (error) {
          this.#failed(name, error, errors);
          next.push(m);
        }
      }
      current = next;
    }
    if (!succeeded) throw new DecodeError(`no sub-decoder succeeded: ${errors.join('; ')}`);
    return current.length === 1 ? current[0] : current.length === 0 ? undefined : current;
  }

  #failed(name: string, error: unknown, errors: string[]): void {
    const reason = errorMessage(error);
    errors.push(`${name}: ${reason}`);
    this.#logger?.warn('Sub-decoder failed.', { sub: name, error: reason });
  }
}

/**
 * MultiDecoder: combines the decoders named in `subs` (Heka's MultiDecoder). With `first-wins`
 * the first sub that does not throw decides the result; with `all` each sub is applied in turn
 * to what the previous ones produced, a failing sub passing its input on unchanged. It fails, with
 * every sub's error, only when no sub succeeds.
 *
 * Sub-decoders are given the message itself: Hekate's built-in decoders change a message only
 * once they have succeeded, so a failed attempt leaves it intact for the next sub.
 *
 * @example
 * [any_log]
 * type = "MultiDecoder"
 * subs = ["api_json", "nginx_access"]
 * cascade_strategy = "first-wins"
 */
export const MultiDecoder = defineDecoder({
  type: 'MultiDecoder',
  summary: 'Tries several decoders in order, or applies them all in turn.',
  options,
  create: (o, ctx) => {
    const subs = o.subs.map((name): [string, Decoder] => [name, ctx.createDecoder(name)]);
    return new MultiDecoderImpl(o, subs, ctx.logger);
  },
});
