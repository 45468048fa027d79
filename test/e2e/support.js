// Helpers for end-to-end tests that drive the real `hekate` binary.
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** The compiled CLI entry point. */
export const CLI = path.join(ROOT, 'packages/cli/dist/src/main.js');

/** A fresh temporary directory. */
export function tempDir(prefix = 'hekate-e2e-') {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Writes a config file into `dir` and returns its path. */
export async function writeConfig(dir, toml, name = 'pipeline.toml') {
  const file = path.join(dir, name);
  await writeFile(file, toml);
  return file;
}

/**
 * Runs `hekate <args>` to completion with optional stdin text; resolves with the exit code and
 * what it printed.
 */
export function hekate(args, { stdin, cwd = ROOT, env } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(stdin ?? '');
  });
}

/** Starts `hekate <args>` and returns the child; the caller writes stdin and signals it. */
export function startHekate(args, { cwd = ROOT, env } = {}) {
  const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, ...env } });
  child.output = { stdout: '', stderr: '' };
  child.stdout.on('data', (d) => (child.output.stdout += d));
  child.stderr.on('data', (d) => (child.output.stderr += d));
  child.exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  return child;
}

/** Waits until `check()` is truthy, polling every 20 ms, for at most `ms`. */
export async function waitFor(check, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}
