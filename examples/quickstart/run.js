// `npm start`: runs the quick-start pipeline with the `hekate` CLI on the sample access log, then
// prints a readable summary of what each output received.
import { spawn } from 'node:child_process';
import { openSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const cli = path.resolve(here, '../../packages/cli/dist/src/main.js');
const log = path.join(here, 'access.log');
const out = process.env.QUICKSTART_OUT ?? path.join(here, 'out');
rmSync(out, { recursive: true, force: true });

const code = await new Promise((resolve) => {
  const child = spawn(process.execPath, [cli, 'run', '-config', path.join(here, 'pipeline.toml'), '-log-level', 'warn'], {
    stdio: [openSync(log, 'r'), 'inherit', 'inherit'],
    env: { ...process.env, QUICKSTART_OUT: out },
  });
  child.on('exit', (c) => resolve(c ?? 1));
});
if (code !== 0) {
  console.error(`hekate exited with code ${code}`);
  process.exit(code);
}

const records = (file) =>
  readFileSync(path.join(out, file), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line));
const input = readFileSync(log, 'utf8').split('\n').filter(Boolean).length;
const byType = {};
for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
  const { type } = JSON.parse(line);
  byType[type] = (byType[type] ?? 0) + 1;
}

console.log(`Hekate read ${input} API requests (${Object.entries(byType).map(([t, n]) => `${t} ${n}`).join(', ')}) and routed them:\n`);
for (const [file, what] of [
  ['server-errors.jsonl', 'server errors (status >= 500)'],
  ['failed-clickouts.jsonl', 'failed click-outs (click && status >= 500)'],
  ['slow-searches.jsonl', 'slow searches (> 1 s)'],
  ['api-client-errors.jsonl', 'API client errors (4xx on /api/)'],
]) {
  console.log(`  ${String(records(file).length).padStart(4)}  ${what.padEnd(45)} → ${path.relative(process.cwd(), path.join(out, file))}`);
}
const failed = records('failed-clickouts.jsonl');
if (failed.length > 0) {
  console.log('\nFailed click-outs by partner:');
  const partners = {};
  for (const r of failed) partners[r.partner] = (partners[r.partner] ?? 0) + 1;
  for (const [partner, n] of Object.entries(partners).sort((a, b) => b[1] - a[1])) console.log(`  ${String(n).padStart(4)}  ${partner}`);
}
console.log('\nEdit examples/quickstart/pipeline.toml to change the routes; see README.md for more.');
