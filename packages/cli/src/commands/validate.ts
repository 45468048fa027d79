import type { CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { loadPipeline } from '../load.js';

/** `hekate validate -config <file|dir>`: checks everything (TOML, types, options, matchers, references), starts nothing. */
export async function validateCommand(ctx: CommandContext): Promise<number> {
  const pipeline = await loadPipeline(ctx.configPath(), ctx.logger);
  const counts = new Map<string, number>();
  for (const s of pipeline.plan.sections) counts.set(s.kind, (counts.get(s.kind) ?? 0) + 1);
  const summary = [...counts].map(([kind, n]) => `${n} ${kind}${n === 1 ? '' : 's'}`).join(', ');
  ctx.out(`${ctx.configPath()}: OK (${summary})\n`);
  return EXIT.OK;
}
