import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FileMatch } from '../src/file-match.js';

const base = { priority: [], differentiator: ['web'], translation: {} };

test('file_match is RE2: linear time on hostile patterns, Heka examples work, bad ones are named', () => {
  const hostile = new FileMatch({ ...base, file_match: '(a+)+b' });
  const started = process.hrtime.bigint();
  assert.equal(hostile.place('a'.repeat(5000)), undefined);
  assert.ok(process.hrtime.bigint() - started < 2_000_000_000n, 'a backtracking engine would take ages');
  for (const heka of [
    'access\\.log\\.?(?P<Index>\\d+)?',
    '(?P<Year>\\d+)/(?P<Month>\\d+)/(?P<Type>\\w+)\\.log(\\.(?P<Seq>\\d+))?',
    '(?P<Name>[a-z]+)-(?P<MonthName>[A-Za-z]+)\\.log',
  ]) {
    assert.doesNotThrow(() => new FileMatch({ ...base, file_match: heka }), heka);
  }
  assert.throws(() => new FileMatch({ ...base, file_match: 'a(?=b)' }), /not a valid RE2 regex/);
  assert.throws(() => new FileMatch({ ...base, file_match: '(a)\\1' }), /not a valid RE2 regex/);
  assert.throws(() => new FileMatch({ ...base, file_match: 'x', priority: ['Seq'] }), /not a named group/);
});

test('orders rotated files oldest first with ^Index, the live file last', () => {
  const m = new FileMatch({ ...base, file_match: 'access\\.log\\.?(?P<Index>\\d+)?', priority: ['^Index'] });
  const names = ['access.log', 'access.log.1', 'access.log.10', 'access.log.2'];
  const sorted = names.map((n) => ({ n, p: m.place(n)! })).sort((a, b) => m.compare(a.p, b.p)).map((x) => x.n);
  assert.deepEqual(sorted, ['access.log.10', 'access.log.2', 'access.log.1', 'access.log']);
  assert.equal(m.place('error.log'), undefined);
  assert.equal(m.place('xaccess.log.1')?.stream, 'web', 'unanchored at the start, as in Heka');
});

test('differentiator builds stream names from groups; translation and MonthName map values', () => {
  const m = new FileMatch({
    file_match: '(?P<Host>[a-z0-9]+)/(?P<MonthName>[A-Za-z]+)-(?P<Seq>[a-z0-9]+)\\.log',
    priority: ['MonthName', 'Seq'],
    differentiator: ['app-', 'Host'],
    translation: { Seq: { first: 1, second: 2, missing: 0 } },
  });
  const a = m.place('web1/Feb-second.log')!;
  const b = m.place('web1/January-first.log')!;
  const c = m.place('web1/feb-first.log')!;
  assert.equal(a.stream, 'app-web1');
  assert.deepEqual(b.rank, [1, 1]);
  assert.ok(m.compare(b, a) < 0);
  assert.ok(m.compare(c, a) < 0);
});
