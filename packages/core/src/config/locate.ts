import type { ConfigLocation } from '../errors.js';

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * Finds where a section (and optionally a key in it) is written in TOML text, for error messages.
 * TOML parsers keep no positions for values, so this scans the text for the header and key.
 */
export function locate(text: string, file: string | undefined, section: string, key?: string): ConfigLocation {
  const lines = text.split('\n');
  const name = `(?:${escape(section)}|"${escape(section)}"|'${escape(section)}')`;
  const header = new RegExp(`^\\s*\\[\\s*${name}\\s*\\]`);
  const subHeader = new RegExp(`^\\s*\\[\\s*${name}\\s*\\.\\s*([A-Za-z0-9_-]+)\\s*\\]`);
  const [topKey, subKey] = key === undefined ? [undefined, undefined] : key.split('.', 2);
  let line = lines.findIndex((l) => header.test(l));
  if (line === -1) return { file, section, key };
  if (topKey === undefined) return { file, line: line + 1, section };
  const wantKey = new RegExp(`^\\s*["']?${escape(subKey ?? topKey)}["']?\\s*=`);
  let inTarget = true;
  for (let i = line + 1; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\s*\[/.test(l)) {
      const sub = subHeader.exec(l);
      inTarget = subKey !== undefined && sub !== null && sub[1] === topKey;
      if (!inTarget && sub === null) break;
      if (inTarget) line = i;
      continue;
    }
    if ((subKey === undefined || inTarget) && wantKey.test(l)) return { file, line: i + 1, section, key };
  }
  return { file, line: line + 1, section, key };
}
