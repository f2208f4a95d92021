/**
 * Where client errors point: anchors of `docs/troubleshooting.md` (apart from ./explain.ts,
 * which is loaded only when an error is explained).
 *
 * @module
 */

const DOC: string = 'docs/troubleshooting.md'

/** Anchors of `docs/troubleshooting.md` that client errors point to. */
export const TroubleshootingAnchors = {
  serviceUnknown: 'service-principal-unknown',
  spnIPAddress: 'spn-ip-address',
  serviceCase: 'spn-case',
  realmCase: 'realm-case',
  clockSkew: 'clock-skew',
  keytabStale: 'keytab-stale',
  passwordIncorrect: 'password-incorrect',
  clientUnknown: 'client-principal-unknown',
  tgtExpired: 'tgt-expired',
} as const

/** `see docs/troubleshooting.md#anchor`. */
export function seeDoc(anchor: string): string {
  return `see ${DOC}#${anchor}`
}
