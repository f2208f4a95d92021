/**
 * Fuzz targets for MS-PAC: the PAC container with every buffer type, the NDR buffers on their
 * own, and verification (signature, client info, identity) — the PAC sits inside the ticket, so
 * a KDC or anyone holding the service key writes it. Seeds: the MIT and gokrb5 samples, and a
 * PAC with every buffer type this library encodes.
 */
import { KerberosError } from '../../src/errors.js'
import { fromHex } from '../../src/internal/bytes.js'
import { KerberosKey } from '../../src/key.js'
import {
  decodeKerbValidationInfo,
  decodePAC,
  decodePACDeviceInfo,
  decodeS4UDelegationInfo,
  encodeKerbValidationInfo,
  encodePACDeviceInfo,
  encodeS4UDelegationInfo,
  pacIdentity,
  verifyPAC,
} from '../../src/pac/index.js'
import { parsePrincipal } from '../../src/principal.js'
import { DOMAIN_SID, logonInfoFor, signedPACFor } from '../pac/build.js'
import { pacFixture, samplePACs } from '../pac/samples.js'
import type { FuzzTarget } from './targets.js'

const DEVICE = {
  userId: 1601,
  primaryGroupId: 515,
  accountDomainId: DOMAIN_SID,
  accountGroupIds: [{ rid: 515, attributes: 7 }],
  extraSids: [{ sid: 'S-1-18-1', attributes: 7 }],
  domainGroups: [{ domainId: 'S-1-5-21-1-2-3', groupIds: [{ rid: 1000, attributes: 7 }] }],
}
const DELEGATION = {
  proxyTarget: 'cifs/files.example.com',
  transitedServices: ['HTTP/web.example.com@EXAMPLE.COM'],
}

/** The PAC targets. */
export function pacTargets(): FuzzTarget[] {
  // Fixed keys so that runs reproduce.
  const serverKey = new KerberosKey(18, fromHex('11'.repeat(32)))
  const kdcKey = new KerberosKey(18, fromHex('22'.repeat(32)))
  const alice = parsePrincipal('alice@EXAMPLE.COM')
  const authTime = new Date(Date.UTC(2026, 0, 2, 3, 4, 5))
  const full = signedPACFor(
    alice,
    authTime,
    { serverKey, kdcKey, fullSignature: true },
    {
      deviceInfo: DEVICE,
      delegationInfo: DELEGATION,
      attributes: { flagsLength: 2, flags: [1] },
      requestorSid: `${DOMAIN_SID}-1105`,
      credentialInfo: { version: 0, encryptionType: 18, serializedData: new Uint8Array(24) },
      clientClaims: pacFixture('gokrb5-client-claims-str.bin'),
      upnDnsInfo: {
        upn: 'alice@example.com',
        dnsDomainName: 'EXAMPLE.COM',
        flags: 2,
        samName: 'alice',
        sid: `${DOMAIN_SID}-1105`,
      },
    },
  )
  const samples = samplePACs()
  return [
    {
      name: 'pac',
      description: 'decodePAC and pacIdentity on a PAC with every buffer type, and on real samples',
      seeds: [full, ...samples.map((s) => s.bytes)],
      run(b) {
        pacIdentity(decodePAC(b))
      },
    },
    {
      name: 'pac-verify',
      description: 'verifyPAC with the service and KDC keys (signatures, CLIENT_INFO, identity)',
      seeds: [full],
      run(b) {
        verifyPAC(b, { serviceKey: serverKey, kdcKey, clientName: alice, authTime })
      },
    },
    {
      name: 'pac-ndr',
      description:
        'the NDR buffers alone: KERB_VALIDATION_INFO, PAC_DEVICE_INFO, S4U_DELEGATION_INFO',
      seeds: [
        encodeKerbValidationInfo(logonInfoFor('alice')),
        pacFixture('gokrb5-kvi-trust.bin'),
        encodePACDeviceInfo(DEVICE),
        encodeS4UDelegationInfo(DELEGATION),
      ],
      run(b) {
        // Each decoder on every input: a device-info buffer fed to the logon-info reader is as
        // hostile as any mutation.
        let refused: KerberosError | undefined
        for (const f of [decodeKerbValidationInfo, decodePACDeviceInfo, decodeS4UDelegationInfo]) {
          try {
            f(b)
          } catch (e) {
            if (!(e instanceof KerberosError)) throw e
            refused = e
          }
        }
        if (refused !== undefined) throw refused
      },
    },
  ]
}
