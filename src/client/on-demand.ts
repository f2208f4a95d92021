/**
 * The client code loaded on first use, as one chunk: FAST armoring (`./fast.ts`, loaded by
 * `./fast-lazy.ts` when a login has armor or a TGS request is armored), S4U (`./s4u.ts`, by
 * `impersonate` and `getServiceTicketFor`), kpasswd (`protocol/kpasswd.ts`, by `changePassword`
 * and `setPassword`) and the error explanations (`./explain.ts`, by `./explain-lazy.ts`).
 *
 * One chunk rather than one per part: a bundler puts the up-front code every set of lazy chunks
 * shares into a chunk of its own, and each chunk is compressed (and fetched) on its own, so four
 * lazy parts cost about 2.5 kB gzip more up front than one (docs/bundling.md).
 *
 * @module
 */
export { FastLogin, armorTGS } from './fast.js'
export { delegateWith, impersonateWith } from './s4u.js'
export * from '../protocol/kpasswd.js'
export { changepwTicket, kpasswdExchange } from './kpasswd-exchange.js'
export * from './explain.js'
