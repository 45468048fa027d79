import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PluginLoadError } from '../errors.js';
import type { PluginDefinition } from '../plugins/types.js';
import { isPluginDefinition, type PluginRegistry } from './plugin-registry.js';

/** The plugin API major version this core implements; packages declare it in package.json. */
export const PLUGIN_API_VERSION = 1;

/** The `"hekate"` key of a plugin package's package.json. */
export interface PluginManifest {
  apiVersion: number;
  types: string[];
}

function isLocalPath(spec: string): boolean {
  return spec.startsWith('.') || path.isAbsolute(spec);
}

/** The directory of installed package `name` as Node would find it from `fromDir`, or undefined. */
function findPackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = path.resolve(fromDir); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/** Resolves a package name or a relative/absolute file from a directory, as Node would from there. */
export function resolvePluginModule(spec: string, fromDir: string): string {
  if (isLocalPath(spec)) return path.resolve(fromDir, spec);
  try {
    return createRequire(path.join(fromDir, 'noop.js')).resolve(spec);
  } catch (error) {
    throw new PluginLoadError(`cannot find plugin package "${spec}" from ${fromDir}; run "npm install ${spec}"`, { cause: error });
  }
}

/** Reads the `"hekate"` manifest of an installed package, if it has one. */
export async function readManifest(packageDir: string): Promise<{ name: string; manifest: PluginManifest } | undefined> {
  let json: { name?: string; hekate?: Partial<PluginManifest> };
  try {
    json = JSON.parse(await readFile(path.join(packageDir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if (json.hekate === undefined || typeof json.name !== 'string') return undefined;
  return { name: json.name, manifest: { apiVersion: Number(json.hekate.apiVersion), types: [...(json.hekate.types ?? [])] } };
}

function checkApiVersion(name: string, manifest: PluginManifest | undefined): void {
  if (manifest !== undefined && manifest.apiVersion !== PLUGIN_API_VERSION) {
    throw new PluginLoadError(
      `plugin package ${name} declares hekate.apiVersion ${manifest.apiVersion}, but this core implements ${PLUGIN_API_VERSION}`,
    );
  }
}

/**
 * Imports a plugin package or file and returns its definitions. A module exports `plugins` (an
 * array of definitions), or a default export that is such an array or has a `plugins` array.
 */
export async function loadPluginModule(spec: string, fromDir: string): Promise<PluginDefinition[]> {
  const file = resolvePluginModule(spec, fromDir);
  if (!isLocalPath(spec)) {
    const dir = findPackageDir(spec, fromDir);
    const found = dir === undefined ? undefined : await readManifest(dir);
    checkApiVersion(spec, found?.manifest);
  }
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    throw new PluginLoadError(`cannot load plugin module "${spec}": ${(error as Error).message}`, { cause: error });
  }
  const fromDefault = mod.default as { plugins?: unknown } | unknown[] | undefined;
  const list = mod.plugins ?? (Array.isArray(fromDefault) ? fromDefault : fromDefault?.plugins);
  if (!Array.isArray(list) || list.length === 0 || !list.every(isPluginDefinition)) {
    throw new PluginLoadError(`plugin module "${spec}" does not export a "plugins" array of plugin definitions`);
  }
  return list;
}

/**
 * Finds plugin packages among the direct dependencies of the application whose package.json is
 * in `appDir`, from the `"hekate"` key of their package.json, without running their code, and
 * declares them in the registry so each is loaded when a config first uses one of its types.
 * @returns type → package name.
 */
export async function discoverPlugins(appDir: string, registry: PluginRegistry): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  let app: { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
  try {
    app = JSON.parse(await readFile(path.join(appDir, 'package.json'), 'utf8'));
  } catch {
    return found;
  }
  for (const dep of Object.keys({ ...app.dependencies, ...app.optionalDependencies })) {
    const dir = findPackageDir(dep, appDir);
    const pkg = dir === undefined ? undefined : await readManifest(dir);
    if (pkg === undefined) continue;
    for (const type of pkg.manifest.types) found.set(type, dep);
    registry.provide(dep, pkg.manifest.types, () => loadPluginModule(dep, appDir));
  }
  return found;
}
