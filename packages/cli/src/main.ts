#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { main } from './cli.js';

const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const code = await main(process.argv.slice(2), version);
// Let stdout drain before exiting; nothing else may keep the process alive after a stop.
process.stdout.write('', () => process.exit(code));
