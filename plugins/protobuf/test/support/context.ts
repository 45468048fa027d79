import { silentLogger, type PluginContext } from '@hekate/core';

/** A plugin context for tests, whose counters can be read back. */
export function testContext(
  name = 'test',
  configDir = process.cwd(),
): PluginContext & { counts: Map<string, number> } {
  const counts = new Map<string, number>();
  return {
    name,
    type: name,
    logger: silentLogger,
    configDir,
    stateDir: configDir,
    hostname: 'test-host',
    counters: { add: (counter, n = 1) => void counts.set(counter, (counts.get(counter) ?? 0) + n) },
    createDecoder: () => {
      throw new Error('no decoders in this test context');
    },
    counts,
  };
}
