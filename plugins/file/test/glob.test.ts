import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Glob, hasMagic } from '../src/glob.js';

test('splits a pattern into its literal base and wildcard segments', () => {
  const g = new Glob('/var/log/app/*.log');
  assert.equal(g.base, '/var/log/app');
  assert.equal(g.rest.length, 1);
  assert.equal(g.isLiteral, false);
  assert.equal(new Glob('/var/log/app.log').isLiteral, true);
  assert.equal(hasMagic('a[0-9]'), true);
  assert.equal(hasMagic('plain.log'), false);
});

test('matches *, ?, classes, negated classes and escapes within one name', () => {
  const cases: [string, string, boolean][] = [
    ['/l/*.log', '/l/app.log', true],
    ['/l/*.log', '/l/app.log.1', false],
    ['/l/*.log', '/l/sub/app.log', false],
    ['/l/app.log*', '/l/app.log.2', true],
    ['/l/app.log.?', '/l/app.log.1', true],
    ['/l/app.log.?', '/l/app.log.10', false],
    ['/l/app.log.[0-9]', '/l/app.log.7', true],
    ['/l/app.log.[!0-9]', '/l/app.log.7', false],
    ['/l/app.log.[!0-9]', '/l/app.log.x', true],
    ['/l/a\\*b', '/l/a*b', true],
    ['/l/a\\*b', '/l/axb', false],
    ['/l/*a*a*a*a*b', `/l/${'a'.repeat(200)}`, false],
    ['/l/日志*.log', '/l/日志-1.log', true],
  ];
  for (const [pattern, file, expected] of cases) assert.equal(new Glob(pattern).matches(file), expected, `${pattern} ~ ${file}`);
});

test('** spans any number of directories', () => {
  const g = new Glob('/l/**/*.log');
  assert.equal(g.matches('/l/a.log'), true);
  assert.equal(g.matches('/l/x/y/a.log'), true);
  assert.equal(g.matches('/l/x/y/a.txt'), false);
});
