import type { ConfigDocument } from '../config/config-source.js';
import { ConfigError } from '../errors.js';

/** A section as written, before validation, with the document it came from. */
export interface RawSection {
  readonly name: string;
  readonly values: Record<string, unknown>;
  readonly document: ConfigDocument;
}

/** The merged sections and global table of one or more config documents. */
export interface RawConfig {
  readonly global: Record<string, unknown>;
  readonly globalDocument: ConfigDocument | undefined;
  readonly sections: RawSection[];
}

const GLOBAL_NAMES = ['hekate', 'hekad'];

/**
 * Merges documents in order: a section name repeated in a later file replaces the earlier one
 * (Heka's rule); the global section is `[hekate]`, or Heka's `[hekad]`, not both.
 */
export function mergeDocuments(documents: readonly ConfigDocument[]): RawConfig {
  const sections = new Map<string, RawSection>();
  let global: Record<string, unknown> = Object.create(null);
  let globalDocument: ConfigDocument | undefined;
  let globalName: string | undefined;
  for (const document of documents) {
    for (const [name, values] of Object.entries(document.table)) {
      if (values === null || typeof values !== 'object' || Array.isArray(values) || values instanceof Date) {
        throw new ConfigError(`top-level key "${name}" must be a [section] table`, { file: document.file, key: name });
      }
      const table = values as Record<string, unknown>;
      if (GLOBAL_NAMES.includes(name)) {
        if (globalName !== undefined && globalName !== name) {
          throw new ConfigError('use either [hekate] or [hekad], not both', { file: document.file, section: name });
        }
        globalName = name;
        global = Object.assign(Object.create(null), global, table);
        globalDocument = document;
      } else {
        sections.set(name, { name, values: table, document });
      }
    }
  }
  return { global, globalDocument, sections: [...sections.values()] };
}
