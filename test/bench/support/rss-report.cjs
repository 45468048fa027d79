// Preloaded with `node --require` into a benchmarked process: writes its peak RSS (bytes) to the
// file named by HEKATE_BENCH_RSS_FILE when it exits.
'use strict';
const fs = require('node:fs');
const file = process.env.HEKATE_BENCH_RSS_FILE;
if (file) process.on('exit', () => fs.writeFileSync(file, String(process.resourceUsage().maxRSS * 1024)));
