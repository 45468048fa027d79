import { Pipeline } from '@hekate/core';
import type { CommandContext } from '../command.js';
import { EXIT } from '../exit-codes.js';
import { firstPartyRegistry, loadAllFirstParty } from '../first-party.js';

/**
 * `hekate plugins [-config <path>]`: every plugin type available, by kind, with its summary;
 * with a config, the types its `[hekate] plugins` load are listed too.
 */
export async function pluginsCommand(ctx: CommandContext): Promise<number> {
  const registry = firstPartyRegistry();
  await loadAllFirstParty(registry);
  if (ctx.flags.config !== undefined) {
    await Pipeline.fromFile(ctx.configPath(), { registry, logger: ctx.logger, appDir: process.cwd() });
  }
  const defs = registry.list();
  const width = Math.max(...defs.map((d) => d.type.length));
  let kind = '';
  for (const def of defs) {
    if (def.kind !== kind) ctx.out(`${kind === '' ? '' : '\n'}${(kind = def.kind)}s:\n`);
    ctx.out(`  ${def.type.padEnd(width)}  ${def.summary}\n`);
  }
  return EXIT.OK;
}
