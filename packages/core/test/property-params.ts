import type { Parameters } from 'fast-check';

/**
 * fast-check parameters for property tests: `numRuns` runs (HEKATE_FC_RUNS overrides it) and,
 * when HEKATE_FC_SEED is set, that seed, to replay a failure fast-check reported.
 */
export function propertyParams<T>(numRuns: number): Parameters<T> {
  const seed = process.env['HEKATE_FC_SEED'];
  const runs = process.env['HEKATE_FC_RUNS'];
  return {
    includeErrorInReport: true,
    numRuns: runs === undefined ? numRuns : Number(runs),
    ...(seed === undefined ? {} : { seed: Number(seed) }),
  };
}
