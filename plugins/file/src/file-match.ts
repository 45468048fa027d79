import { RE2JS } from 're2js';

/** The Logstreamer options that name and order files (Heka's keys). */
export interface FileMatchOptions {
  /** RE2-style regex over paths relative to `log_directory`; `$` is appended, as in Heka. */
  readonly file_match: string;
  /** Match groups that order a stream's files oldest → newest; `^Name` sorts descending. */
  readonly priority: readonly string[];
  /** Literals and group names joined into the stream (Logger) name. */
  readonly differentiator: readonly string[];
  /** Per group: value → number, and `missing` for an absent group. */
  readonly translation: Readonly<Record<string, Readonly<Record<string, number>>>>;
}

/** A file's place in its stream: the stream name and the priority values, in order. */
export interface StreamPlace {
  readonly stream: string;
  readonly rank: readonly (number | string)[];
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

function builtinTranslation(group: string, value: string): number | undefined {
  const key = value.slice(0, 3).toLowerCase();
  if (group === 'MonthName') return MONTHS.includes(key) ? MONTHS.indexOf(key) + 1 : undefined;
  if (group === 'DayName') return DAYS.includes(key) ? DAYS.indexOf(key) : undefined;
  return undefined;
}

/**
 * Heka Logstreamer's file naming: which paths belong to the input, which stream each belongs
 * to (the differentiator), and in which order a stream's files were written (the priority).
 */
export class FileMatch {
  readonly #regex: RE2JS;
  readonly #groups: ReadonlySet<string>;
  readonly #options: FileMatchOptions;
  readonly #priority: readonly { group: string; descending: boolean }[];

  /**
   * Throws an Error with a readable reason when the pattern is not a valid RE2 regex. Like Heka's
   * Go regexp, re2js matches in linear time, so no pattern can hang the input.
   */
  constructor(options: FileMatchOptions) {
    this.#options = options;
    try {
      this.#regex = RE2JS.compile(`(?:${options.file_match})$`);
    } catch (error) {
      throw new Error(`file_match ${JSON.stringify(options.file_match)} is not a valid RE2 regex: ${(error as Error).message}`);
    }
    this.#groups = new Set(Object.keys(this.#regex.namedGroups()));
    this.#priority = options.priority.map((p) =>
      p.startsWith('^') ? { group: p.slice(1), descending: true } : { group: p, descending: false },
    );
    for (const { group } of this.#priority) {
      if (!this.#groups.has(group)) {
        throw new Error(`priority names "${group}", which is not a named group of file_match`);
      }
    }
  }

  /** The place of a path relative to `log_directory` (with `/` separators), or undefined. */
  place(relative: string): StreamPlace | undefined {
    const m = this.#regex.matcher(relative);
    if (!m.find()) return undefined;
    const group = (name: string) => m.group(name) ?? undefined;
    const parts = this.#options.differentiator.map((p) => (this.#groups.has(p) ? (group(p) ?? '') : p));
    const stream = parts.join('');
    const rank = this.#priority.map(({ group: name }) => this.#value(name, group(name)));
    return { stream, rank };
  }

  /** Orders two places of one stream oldest first. */
  compare(a: StreamPlace, b: StreamPlace): number {
    for (let i = 0; i < this.#priority.length; i++) {
      const order = compareValues(a.rank[i]!, b.rank[i]!);
      if (order !== 0) return this.#priority[i]!.descending ? -order : order;
    }
    return 0;
  }

  #value(group: string, value: string | undefined): number | string {
    const table = this.#options.translation[group];
    if (value === undefined || value === '') return table?.['missing'] ?? -1;
    const mapped = table?.[value] ?? table?.[value.toLowerCase()] ?? builtinTranslation(group, value);
    if (mapped !== undefined) return mapped;
    return /^\d+$/.test(value) ? Number(value) : value;
  }
}

function compareValues(a: number | string, b: number | string): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
