import { FIRST_PARTY_PACKAGES, PluginRegistry, builtinPlugins, type PluginDefinition } from '@hekate/core';

/** Imports of the first-party packages, by name; each is loaded only when a config uses one of its types. */
const LOADERS: Readonly<Record<string, () => Promise<{ plugins: PluginDefinition[] }>>> = {
  '@hekate/plugin-file': () => import('@hekate/plugin-file'),
  '@hekate/plugin-kafka': () => import('@hekate/plugin-kafka'),
  '@hekate/plugin-bigquery': () => import('@hekate/plugin-bigquery'),
  '@hekate/plugin-protobuf': () => import('@hekate/plugin-protobuf'),
};

/**
 * A registry with the built-ins and the first-party plugin packages declared, so a Heka user's
 * config that names FileInput, KafkaInput, BqOutput or the protobuf codecs runs without
 * `[hekate] plugins`. Packages load on first use: a pipeline pays only for what it names.
 */
export function firstPartyRegistry(): PluginRegistry {
  const registry = new PluginRegistry(builtinPlugins);
  for (const [pkg, types] of Object.entries(FIRST_PARTY_PACKAGES)) {
    const load = LOADERS[pkg];
    if (load !== undefined) registry.provide(pkg, types, async () => (await load()).plugins);
  }
  return registry;
}

/** Loads every first-party package, for listings such as `hekate plugins`. */
export async function loadAllFirstParty(registry: PluginRegistry): Promise<void> {
  for (const types of Object.values(FIRST_PARTY_PACKAGES)) await registry.load(types[0]!);
}
