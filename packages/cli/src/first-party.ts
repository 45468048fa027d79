import { PluginRegistry } from '@hekate/core';
import { plugins as bigqueryPlugins } from '@hekate/plugin-bigquery';
import { plugins as filePlugins } from '@hekate/plugin-file';
import { plugins as kafkaPlugins } from '@hekate/plugin-kafka';
import { plugins as protobufPlugins } from '@hekate/plugin-protobuf';

/**
 * A registry holding the first-party plugin packages, so a Heka user's config that names
 * FileInput, KafkaInput, BqOutput or the protobuf codecs runs without `[hekate] plugins`.
 */
export function firstPartyRegistry(): PluginRegistry {
  return new PluginRegistry([...filePlugins, ...kafkaPlugins, ...bigqueryPlugins, ...protobufPlugins]);
}
