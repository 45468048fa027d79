import type { PlannedSection } from '@hekate/core';
import type { CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { loadPipeline } from '../load.js';

function describeInput(s: PlannedSection): string {
  const c = s.common as { splitter?: string; decoder?: string };
  const chain = [`${s.name} (${s.type})`, `splitter ${c.splitter}`];
  if (c.decoder !== undefined) chain.push(`decoder ${c.decoder}`);
  return chain.join(' → ') + ' → router';
}

function describeSubscriber(s: PlannedSection): string {
  const c = s.common as { message_matcher?: string; encoder?: string; use_buffering?: boolean };
  const tail = [c.encoder === undefined ? '' : ` → encoder ${c.encoder}`, c.use_buffering === true ? ' (disk-buffered)' : ''].join('');
  return `router → [${c.message_matcher}] → ${s.name} (${s.type})${tail}`;
}

/**
 * `hekate graph -config <path>`: the pipeline's plugins and who feeds whom: each input's
 * splitter and decoder into the router, and the router into each filter and output by matcher.
 * `-format dot` prints Graphviz instead.
 */
export async function graphCommand(ctx: CommandContext): Promise<number> {
  const { plan } = await loadPipeline(ctx.configPath(), ctx.logger);
  const inputs = plan.sections.filter((s) => s.kind === 'input');
  const subscribers = plan.sections.filter((s) => s.kind === 'filter' || s.kind === 'output');
  if (ctx.flags.format === 'dot') {
    const q = (t: string) => JSON.stringify(t);
    ctx.out('digraph hekate {\n  rankdir=LR;\n  router [shape=diamond];\n');
    for (const s of inputs) ctx.out(`  ${q(s.name)} [shape=box, label=${q(`${s.name}\n${s.type}`)}];\n  ${q(s.name)} -> router;\n`);
    for (const s of subscribers) {
      const matcher = (s.common as { message_matcher?: string }).message_matcher ?? '';
      ctx.out(`  ${q(s.name)} [shape=${s.kind === 'filter' ? 'ellipse' : 'box'}, label=${q(`${s.name}\n${s.type}`)}];\n`);
      ctx.out(`  router -> ${q(s.name)} [label=${q(matcher)}];\n`);
      if (s.kind === 'filter') ctx.out(`  ${q(s.name)} -> router [style=dashed, label="inject"];\n`);
    }
    ctx.out('}\n');
    return EXIT.OK;
  }
  ctx.out('inputs:\n');
  for (const s of inputs) ctx.out(`  ${describeInput(s)}\n`);
  ctx.out('filters (may inject back into the router):\n');
  for (const s of subscribers.filter((x) => x.kind === 'filter')) ctx.out(`  ${describeSubscriber(s)}\n`);
  ctx.out('outputs:\n');
  for (const s of subscribers.filter((x) => x.kind === 'output')) ctx.out(`  ${describeSubscriber(s)}\n`);
  return EXIT.OK;
}
