// `npm run bench`: Hekate pipelines against plain-Node baselines on the same generated API log,
// in the same run. Prints lines/s, MB/s, peak RSS and the ratios.
//
//   BENCH_LINES (1000000)  BENCH_REPEAT (3, the median is kept)  HEKATE_BENCH_DIR (../shared/bench)
//
// Cases:
//   filter        StdinInput → JsonDecoder → `Type == 'click' && Fields[status] >= 500` → FileOutput
//                 next to baseline-d-write.js SELECT=pred
//   pass-through  the same with every message to FileOutput, next to SELECT=all
//   buffered      pass-through with use_buffering (disk queue, fsync per batch), next to pass-through
// FileOutput runs with fsync = false here, like the baselines; with fsync per batch the cost is
// one fdatasync per 1000 lines. Then the FileInput cases (test/bench/file-input.js) run.
import { writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { BENCH_DIR, CLI, ROOT, apiLog, measure, repeat, report, sizeOf, workDir } from './support/harness.js';

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

async function hekateCase(name, file, matcher, { buffered = false } = {}) {
  const out = path.join(workDir(), `${name}.out`);
  const toml = path.join(workDir(), `${name}.toml`);
  writeFileSync(toml, config(out, matcher, buffered));
  return repeat(REPEAT, async () => {
    rmSync(out, { force: true });
    rmSync(path.join(workDir(), 'state'), { recursive: true, force: true });
    return measure([CLI, 'run', '-config', toml, '-log-level', 'warn'], { stdinFile: file });
  });
}

async function baseline(file, select) {
  const out = path.join(workDir(), `baseline-${select}.out`);
  return repeat(REPEAT, () => measure([path.join(BENCH_DIR, 'baseline-d-write.js'), file, out], { env: { SELECT: select } }));
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

console.log(`Pipeline bench: ${LINES.toLocaleString('en-US')} lines (${(bytes / 1e6).toFixed(0)} MB), median of ${REPEAT}, node ${process.version}`);
const predBase = await baseline(file, 'pred');
const pred = await hekateCase('filter', file, "Type == 'click' && Fields[status] >= 500");
const allBase = await baseline(file, 'all');
const all = await hekateCase('pass-through', file, 'TRUE');
const buffered = await hekateCase('buffered', file, 'TRUE', { buffered: true });
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
