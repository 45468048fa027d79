// FileInput throughput: tail a 1,000,000-line API log (shared/bench/gen-api-logs.js) from its first
// byte, no decoder, into a NullOutput and into a FileOutput (PayloadEncoder, fdatasync per batch),
// next to the plain read-and-split loop (shared/bench/baseline-a-split.js) on the same file in the
// same run. The FileOutput case runs again with `use_buffering` (disk queue, fsync per batch) and
// its ratio is against the unbuffered FileOutput: what buffering costs. By default a FileInput's
// messages go through the disk queue only when the output stalls (`spool_after`); the last case
// sends every message through it (`spool_after = 0`).
//
//   node test/bench/file-input.js [lines]          (after a build; `npm run bench` runs it)
//
// HEKATE_BENCH_DIR overrides the shared bench folder (default ../shared/bench from the repo root),
// HEKATE_BENCH_RUNS the runs per case (median reported, default 3). Times are measured inside
// each child process (startup excluded); peak RSS is the child's. Each FileInput run starts with
// an empty state directory, so the file is read from its first byte.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_DIR, apiLog, interleave, measure, report, requireBenchDir, sizeOf } from './support/harness.js';

const SELF = fileURLToPath(import.meta.url);

const FILE_OUTPUT = (dir) =>
  `type = "FileOutput"\npath = ${JSON.stringify(path.join(dir, 'out.log'))}\nencoder = "PayloadEncoder"\n`;
const OUTPUTS = {
  null: () => 'type = "NullOutput"\n',
  file: (dir) => `${FILE_OUTPUT(dir)}\n[PayloadEncoder]\n`,
  buffered: (dir) => `${FILE_OUTPUT(dir)}use_buffering = true\n[out.buffering]\nfsync = "batch"\n\n[PayloadEncoder]\n`,
  spooled: (dir) => `${FILE_OUTPUT(dir)}use_buffering = true\n[out.buffering]\nfsync = "batch"\nspool_after = "0s"\n\n[PayloadEncoder]\n`,
};

/** Child mode: run one pipeline until `lines` messages are written, print the elapsed time. */
async function child(kind, file, lines) {
  const { Pipeline, silentLogger } = await import('@hekate/core');
  const { plugins } = await import('@hekate/plugin-file');
  const dir = mkdtempSync(path.join(tmpdir(), 'hekate-bench-file-'));
  const toml = `[hekate]\nbase_dir = ${JSON.stringify(path.join(dir, 'state'))}\n\n[in]\ntype = "FileInput"\npaths = [${JSON.stringify(file)}]\n\n[out]\nmessage_matcher = "TRUE"\n${OUTPUTS[kind](dir)}`;
  const pipeline = await Pipeline.fromToml(toml, { plugins, logger: silentLogger });
  const t0 = process.hrtime.bigint();
  await pipeline.start();
  await new Promise((resolve) => {
    const timer = setInterval(() => {
      if ((pipeline.stats().plugins.out.counters.messages_written ?? 0) >= lines) {
        clearInterval(timer);
        resolve();
      }
    }, 5);
  });
  const sec = Number(process.hrtime.bigint() - t0) / 1e9;
  const spooled = pipeline.stats().plugins.out.counters.messages_spooled ?? 0;
  await pipeline.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify({ sec, spooled }));
}

async function main() {
  const lines = Number(process.argv[2] ?? 1_000_000);
  const runs = Number(process.env.HEKATE_BENCH_RUNS ?? 3);
  requireBenchDir();
  const file = await apiLog(lines);
  const bytes = sizeOf(file);
  const timed = async (args) => {
    const m = await measure(args);
    const { sec, spooled } = JSON.parse(m.stdout.trim().split('\n').at(-1));
    return { ...m, sec, spooled };
  };
  const pipeline = (kind) => () => timed([SELF, '--child', kind, file, String(lines)]);
  const [baseline, toNull, toFile, buffered, spooled] = await interleave(runs, [
    () => timed([path.join(BENCH_DIR, 'baseline-a-split.js'), file]),
    pipeline('null'),
    pipeline('file'),
    pipeline('buffered'),
    pipeline('spooled'),
  ]);
  const row = (name, m, base = baseline) => ({
    name,
    lines,
    bytes,
    sec: m.sec,
    rss: m.rss,
    ratio: base.sec / m.sec,
    rssRatio: m.rss / base.rss,
  });
  report(`FileInput, ${lines.toLocaleString('en-US')} lines (${(bytes / 1e6).toFixed(0)} MB), median of ${runs} interleaved rounds`, [
    { ...row('baseline-a-split (read + split)', baseline), ratio: undefined, rssRatio: undefined },
    row('FileInput -> NullOutput', toNull),
    row('FileInput -> FileOutput (PayloadEncoder)', toFile),
    row('  the same, disk-buffered (vs FileOutput)', buffered, toFile),
    row('  the same, every message spooled (vs FileOutput)', spooled, toFile),
  ]);
  console.log(`Messages spooled to disk (median runs): disk-buffered ${buffered.spooled}, every message spooled ${spooled.spooled}.`);
}

if (process.argv[2] === '--child') await child(process.argv[3], process.argv[4], Number(process.argv[5]));
else await main();
