// Shared by the benchmark scripts: bench data, child processes with peak RSS, and reporting.
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, statSync, mkdirSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
/** The shared benchmark folder (generator and plain-Node baselines). */
export const BENCH_DIR = process.env.HEKATE_BENCH_DIR ?? path.resolve(ROOT, '../shared/bench');
/** The `hekate` CLI entry point. */
export const CLI = path.join(ROOT, 'packages/cli/dist/src/main.js');
const RSS_REPORT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'rss-report.cjs');

/** Fails with a clear message when the shared bench folder is missing. */
export function requireBenchDir() {
  if (!existsSync(path.join(BENCH_DIR, 'gen-api-logs.js'))) {
    console.error(`The benchmark data generator was not found in ${BENCH_DIR}; set HEKATE_BENCH_DIR to the folder holding gen-api-logs.js.`);
    process.exit(2);
  }
}

/** A work directory for benchmark files, kept between runs so the data is generated once. */
export function workDir() {
  const dir = process.env.HEKATE_BENCH_WORK ?? path.join(tmpdir(), 'hekate-bench');
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** The path of a `lines`-line API log, generated with gen-api-logs.js if it is not there yet. */
export async function apiLog(lines) {
  requireBenchDir();
  const file = path.join(workDir(), `api-${lines}.jsonl`);
  if (!existsSync(file)) {
    const fd = openSync(`${file}.tmp`, 'w');
    await run(process.execPath, [path.join(BENCH_DIR, 'gen-api-logs.js'), String(lines)], { stdout: fd });
    closeSync(fd);
    (await import('node:fs')).renameSync(`${file}.tmp`, file);
  }
  return file;
}

function run(cmd, args, { stdin, stdout, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      stdio: [stdin ?? 'ignore', stdout ?? 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    let out = '';
    child.stdout?.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code, signal) =>
      code === 0 ? resolve(out) : reject(new Error(`${path.basename(args[0] ?? cmd)} exited with ${code ?? signal}`)),
    );
  });
}

/**
 * Runs `node <args>` as a child with stdin from `stdinFile` (if any) and returns wall seconds and
 * peak RSS in bytes.
 */
export async function measure(args, { stdinFile, env } = {}) {
  const rssFile = path.join(workDir(), `rss-${process.pid}-${Date.now()}`);
  const stdin = stdinFile === undefined ? undefined : openSync(stdinFile, 'r');
  const t0 = process.hrtime.bigint();
  const stdout = await run(process.execPath, ['--require', RSS_REPORT, ...args], {
    stdin,
    env: { ...env, HEKATE_BENCH_RSS_FILE: rssFile },
  });
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  if (stdin !== undefined) closeSync(stdin);
  return { sec, rss: Number(readFileSync(rssFile, 'utf8')), stdout };
}

/** The median of a list of runs by time. */
export function median(runs) {
  const sorted = [...runs].sort((a, b) => a.sec - b.sec);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Runs `fn` `times` times and returns the median run. */
export async function repeat(times, fn) {
  const runs = [];
  for (let i = 0; i < times; i++) runs.push(await fn());
  return median(runs);
}

/**
 * Runs every function of `cases` once per round, in order, for `times` rounds, and returns the
 * median run of each: cases compared with each other see the same drift of a shared machine.
 */
export async function interleave(times, cases) {
  const runs = cases.map(() => []);
  for (let i = 0; i < times; i++) {
    for (const [k, fn] of cases.entries()) runs[k].push(await fn());
  }
  return runs.map(median);
}

/** Size of a file in bytes. */
export function sizeOf(file) {
  return statSync(file).size;
}

/** Prints a table of results and a JSON line with everything. */
export function report(title, rows) {
  console.log(`\n${title}`);
  const cols = ['case', 'lines/s', 'MB/s', 'peak RSS MB', 'ratio', 'RSS ratio'];
  const data = rows.map((r) => [
    r.name,
    Math.round(r.lines / r.sec).toLocaleString('en-US'),
    (r.bytes / 1e6 / r.sec).toFixed(1),
    (r.rss / 1e6).toFixed(0),
    r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(0)}%`,
    r.rssRatio === undefined ? '' : `${r.rssRatio.toFixed(2)}×`,
  ]);
  const widths = cols.map((c, i) => Math.max(c.length, ...data.map((d) => d[i].length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(line(cols));
  for (const d of data) console.log(line(d));
  console.log(JSON.stringify({ bench: title, results: rows.map(({ stdout, ...r }) => r) }));
}

/** A deterministic PRNG (mulberry32) returning floats in [0, 1), so every run sees the same data. */
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
