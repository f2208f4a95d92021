/**
 * The client code loaded on first use, as one chunk: FAST armoring (`./fast.ts`, loaded by
 * `./fast-lazy.ts` when a login has armor or a TGS request is armored) and S4U (`./s4u.ts`, by
 * `impersonate` and `getServiceTicketFor`). One chunk rather than two because a bundler splits
 * the up-front code into a shared chunk per set of lazy chunks that use it, and each chunk is
 * compressed (and fetched) on its own: two would cost about 1 kB gzip up front
 * (docs/bundling.md).
 *
 * @module
 */
export { FastLogin, armorTGS } from './fast.js'
export { delegateWith, impersonateWith } from './s4u.js'
