// @hekate/cli as a library: run the `hekate` command line in-process.
export { main } from './cli.js';
export { firstPartyRegistry } from './first-party.js';
export { EXIT } from './exit-codes.js';
