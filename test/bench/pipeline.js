// `npm run bench`: Hekate pipelines against plain-Node baselines on the same generated API log,
// in the same run. Prints lines/s, MB/s, peak RSS and the ratios.
//
//   BENCH_LINES (1000000)  BENCH_REPEAT (3 rounds, the median of each case is kept)
//   HEKATE_BENCH_DIR (../shared/bench)
//
// Each round runs every case once, so cases compared with each other see the same machine.
//
// Cases:
//   filter        StdinInput → JsonDecoder → `Type == 'click' && Fields[status] >= 500` → FileOutput
//                 next to baseline-d-write.js SELECT=pred
//   pass-through  the same with every message to FileOutput, next to SELECT=all
//   buffered      pass-through with use_buffering (disk queue, fsync per batch), next to pass-through;
//                 stdin cannot replay, so every message is spooled (test/bench/file-input.js has
//                 the FileInput case, where messages are spooled only when the output stalls)
// FileOutput runs with fsync = false here, like the baselines; with fsync per batch the cost is
// one fdatasync per 1000 lines. Then the FileInput cases (test/bench/file-input.js) run.
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, CLI, ROOT, apiLog, interleave, measure, report, sizeOf, workDir } from './support/harness.js';

const LINES = Number(process.env.BENCH_LINES ?? 1_000_000);
const REPEAT = Number(process.env.BENCH_REPEAT ?? 3);

function config(out, matcher, buffered) {
  return `
[hekate]
base_dir = "${path.join(workDir(), 'state')}"

[in]
type = "StdinInput"
splitter = "TokenSplitter"
decoder = "ApiDecoder"

[ApiDecoder]
type = "JsonDecoder"
Type = "type"

[out]
type = "FileOutput"
message_matcher = "${matcher}"
path = "${out}"
fsync = false
use_buffering = ${buffered}
[out.buffering]
fsync = "batch"
cursor_update_count = 50
`;
}

/** One run of a Hekate pipeline over `file`. */
function hekateCase(name, file, matcher, { buffered = false } = {}) {
  const out = path.join(workDir(), `${name}.out`);
  const toml = path.join(workDir(), `${name}.toml`);
  writeFileSync(toml, config(out, matcher, buffered));
  return () => {
    rmSync(out, { force: true });
    rmSync(path.join(workDir(), 'state'), { recursive: true, force: true });
    return measure([CLI, 'run', '-config', toml, '-log-level', 'warn'], { stdinFile: file });
  };
}

/** One run of the plain-Node baseline over `file`. */
function baseline(file, select) {
  const out = path.join(workDir(), `baseline-${select}.out`);
  return () => measure([path.join(BENCH_DIR, 'baseline-d-write.js'), file, out], { env: { SELECT: select } });
}

const file = await apiLog(LINES);
const bytes = sizeOf(file);
const row = (name, run, base) => ({
  name,
  lines: LINES,
  bytes,
  sec: run.sec,
  rss: run.rss,
  ...(base === undefined ? {} : { ratio: base.sec / run.sec, rssRatio: run.rss / base.rss }),
});

console.log(`Pipeline bench: ${LINES.toLocaleString('en-US')} lines (${(bytes / 1e6).toFixed(0)} MB), median of ${REPEAT} interleaved rounds, node ${process.version}`);
const [predBase, pred, allBase, all, buffered] = await interleave(REPEAT, [
  baseline(file, 'pred'),
  hekateCase('filter', file, "Type == 'click' && Fields[status] >= 500"),
  baseline(file, 'all'),
  hekateCase('pass-through', file, 'TRUE'),
  hekateCase('buffered', file, 'TRUE', { buffered: true }),
]);
report('Filtering and pass-through pipelines vs plain Node (ratio = baseline time / Hekate time)', [
  row('baseline-d-write SELECT=pred', predBase),
  row('hekate filter', pred, predBase),
  row('baseline-d-write SELECT=all', allBase),
  row('hekate pass-through', all, allBase),
  row('hekate pass-through, disk-buffered', buffered, all),
]);

if (process.env.BENCH_SKIP_FILE_INPUT === undefined) {
  await import(path.join(ROOT, 'test/bench/file-input.js'));
}
