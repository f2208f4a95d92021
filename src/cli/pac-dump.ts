/**
 * The PAC part of `kerberos-ts token dump -k`: buffers, identity (SIDs, names) and whether the
 * server signature and CLIENT_INFO check out with the keytab key that decrypted the ticket.
 *
 * @module
 */
import { KerberosError } from '../errors.js'
import { checksumTypeName } from '../iana.js'
import type { KerberosKey } from '../key.js'
import type { Keytab } from '../keytab/index.js'
import {
  decodePAC,
  describeBufferType,
  findPAC,
  pacIdentity,
  verifyPAC,
  type PAC,
  type PACSignature,
} from '../pac/index.js'
import { principalEquals } from '../principal.js'
import type { KeytabIndex, VerifiedAPReq } from '../protocol/ap-verify.js'

type Line = (depth: number, text: string) => void

function keyOf(v: VerifiedAPReq, keytab: Keytab | KeytabIndex): KerberosKey | undefined {
  const entries = 'lookup' in keytab ? keytab.keytab.entries : keytab.entries
  return entries.find(
    (e) => e.kvno === v.kvno && e.enctype === v.enctype && principalEquals(e.principal, v.server),
  )?.key
}

const sigText = (s: PACSignature | undefined): string =>
  s === undefined
    ? 'absent'
    : `${checksumTypeName(s.type)} (${s.type})${s.rodcIdentifier === undefined ? '' : `, RODC ${s.rodcIdentifier}`}`

/** Write the PAC lines for a verified AP-REQ, if its ticket carries a PAC. */
export function describeTicketPAC(
  v: VerifiedAPReq,
  keytab: Keytab | KeytabIndex,
  line: Line,
  d: number,
): void {
  let bytes: Uint8Array | undefined
  let pac: PAC
  try {
    bytes = v.authorizationData === undefined ? undefined : findPAC(v.authorizationData)
    if (bytes === undefined) return
    pac = decodePAC(bytes)
  } catch (err) {
    if (!(err instanceof KerberosError)) throw err
    return line(d, `PAC: error ${err.code}: ${err.message}`)
  }
  line(d, `PAC: ${pac.buffers.length} buffers, ${bytes.length} bytes`)
  for (const b of pac.buffers) line(d + 1, `${describeBufferType(b.type)}: ${b.data.length} bytes`)
  line(d + 1, `server signature: ${sigText(pac.serverSignature)}`)
  line(d + 1, `KDC signature: ${sigText(pac.kdcSignature)} (not checked: needs the krbtgt key)`)
  const key = keyOf(v, keytab)
  let status = 'not checked (key not found)'
  if (key !== undefined) {
    try {
      verifyPAC(bytes, {
        serviceKey: key,
        clientName: v.client,
        authTime: v.authtime,
        allowWeak: true,
      })
      status = 'server signature valid, CLIENT_INFO matches the ticket'
    } catch (err) {
      if (!(err instanceof KerberosError)) throw err
      status = `REFUSED (${String(err.context.reason ?? err.code)}): ${err.message}`
    }
  }
  line(d + 1, `verification: ${status}`)
  const id = pacIdentity(pac)
  line(d + 1, `client info: ${id.clientName || '-'}`)
  if (id.userSid)
    line(d + 1, `user SID: ${id.userSid}${id.accountName ? ` (${id.accountName})` : ''}`)
  if (id.logonDomainName)
    line(
      d + 1,
      `logon domain: ${id.logonDomainName}${id.logonDomainSid ? ` ${id.logonDomainSid}` : ''}`,
    )
  if (id.upn) line(d + 1, `UPN: ${id.upn}`)
  if (id.dnsDomainName) line(d + 1, `DNS domain: ${id.dnsDomainName}`)
  if (id.groupSids.length > 0) line(d + 1, `group SIDs: ${id.groupSids.join(', ')}`)
}
