import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { StreamAcks } from '../../src/delivery/stream-acks.js';

test('reports only the contiguous acknowledged prefix, whatever the order of acknowledgements', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 60 }),
      fc.func(fc.integer()),
      (holds, rank) => {
        const reported: number[] = [];
        const stream = new StreamAcks((p) => reported.push(p as number));
        const deliveries = holds.map((h, i) => {
          const d = stream.add(i);
          d.hold(h);
          d.release(); // the router's own hold
          return { d, left: h, i };
        });
        // Release every hold in a random order, checking the invariant after each.
        const events = deliveries.flatMap((x) => Array.from({ length: x.left }, (_, k) => ({ x, k })));
        events.sort((a, b) => rank(a.x.i * 10 + a.k) - rank(b.x.i * 10 + b.k));
        for (const { x } of events) {
          x.d.release();
          x.left--;
          const prefix = deliveries.findIndex((y) => y.left > 0);
          const expected = prefix === -1 ? deliveries.length - 1 : prefix - 1;
          assert.equal(reported.at(-1) ?? -1, expected);
        }
        assert.deepEqual(reported, [...reported].sort((a, b) => a - b));
        assert.equal(stream.inFlight, 0);
      },
    ),
    { numRuns: 300 },
  );
});
