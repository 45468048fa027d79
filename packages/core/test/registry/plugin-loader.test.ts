import assert from 'node:assert/strict';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { ConfigError } from '../../src/errors.js';
import { silentLogger } from '../../src/logger.js';
import { PluginRegistry } from '../../src/registry/plugin-registry.js';
import { discoverPlugins } from '../../src/registry/plugin-loader.js';

const coreDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src/index.js');
/** zod as the plugin package would import it. */
const zodUrl = pathToFileURL(createRequire(coreDist).resolve('zod')).href;

/** A throwaway application directory whose node_modules holds a plugin package. */
async function appWithPlugin(apiVersion: number): Promise<string> {
  const app = await mkdtemp(path.join(tmpdir(), 'hekate-app-'));
  const pkg = path.join(app, 'node_modules', 'hekate-plugin-demo');
  await mkdir(pkg, { recursive: true });
  await writeFile(path.join(app, 'package.json'), JSON.stringify({ name: 'app', dependencies: { 'hekate-plugin-demo': '1.0.0' } }));
  await writeFile(
    path.join(pkg, 'package.json'),
    JSON.stringify({ name: 'hekate-plugin-demo', type: 'module', main: 'index.js', hekate: { apiVersion, types: ['DemoDecoder'] } }),
  );
  await writeFile(
    path.join(pkg, 'index.js'),
    `import { defineDecoder } from ${JSON.stringify(pathToFileURL(coreDist).href)};
     import { z } from ${JSON.stringify(zodUrl)};
     export const plugins = [defineDecoder({ type: 'DemoDecoder', summary: 'Demo.', options: z.object({}).strict(),
       create: () => ({ decode: (m) => m }) })];`,
  );
  await mkdir(path.join(app, 'local'));
  await symlink(path.join(pkg, 'index.js'), path.join(app, 'local', 'demo.js'));
  return app;
}

test('a package named in [hekate] plugins is loaded, resolved from the config directory', async () => {
  const app = await appWithPlugin(1);
  const p = await Pipeline.fromToml('[hekate]\nplugins = ["hekate-plugin-demo"]\n[demo]\ntype = "DemoDecoder"\n', {
    configDir: app,
    logger: silentLogger,
  });
  assert.equal(p.plan.sections[0]!.type, 'DemoDecoder');
});

test('a local file named in [hekate] plugins is loaded relative to the config directory', async () => {
  const app = await appWithPlugin(1);
  const p = await Pipeline.fromToml('[hekate]\nplugins = ["./local/demo.js"]\n[DemoDecoder]\n', { configDir: app, logger: silentLogger });
  assert.equal(p.plan.sections[0]!.name, 'DemoDecoder');
});

test('plugin packages among the direct dependencies are discovered from their "hekate" key', async () => {
  const app = await appWithPlugin(1);
  const registry = new PluginRegistry();
  const found = await discoverPlugins(app, registry);
  assert.deepEqual([...found], [['DemoDecoder', 'hekate-plugin-demo']]);
  const p = await Pipeline.fromToml('[demo]\ntype = "DemoDecoder"\n', { configDir: app, appDir: app, logger: silentLogger });
  assert.equal(p.plan.sections[0]!.type, 'DemoDecoder');
});

test('a package built for another plugin API version is refused with a clear error', async () => {
  const app = await appWithPlugin(2);
  await assert.rejects(
    Pipeline.fromToml('[hekate]\nplugins = ["hekate-plugin-demo"]\n', { configDir: app, logger: silentLogger }),
    (e: unknown) => e instanceof ConfigError && /apiVersion 2, but this core implements 1/.test(e.message) && e.location.key === 'plugins',
  );
});

test('a missing package is a config error naming it', async () => {
  await assert.rejects(
    Pipeline.fromToml('[hekate]\nplugins = ["hekate-plugin-nowhere"]\n', { configDir: tmpdir(), logger: silentLogger }),
    (e: unknown) => e instanceof ConfigError && /cannot find plugin package "hekate-plugin-nowhere"/.test(e.message),
  );
});
