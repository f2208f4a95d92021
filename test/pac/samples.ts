/**
 * The sample PACs of fixtures/pac with the keys, clients and authtimes their source tests give
 * (MIT krb5 t_pac.c, gokrb5 testdata). See fixtures/pac/README.md.
 */
import { readFileSync } from 'node:fs'
import { decodeAuthorizationData } from '../../src/asn1/index.js'
import { fromHex } from '../../src/internal/bytes.js'
import { KerberosKey } from '../../src/key.js'
import { parseKeytab } from '../../src/keytab/index.js'
import { findPAC } from '../../src/pac/index.js'
import type { Principal } from '../../src/principal.js'
import { fixturePath } from '../helpers/paths.js'

export function pacFixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(fixturePath('pac', name)))
}

export interface SamplePAC {
  readonly name: string
  readonly bytes: Uint8Array
  readonly serviceKey: KerberosKey
  readonly kdcKey?: KerberosKey
  readonly client: Principal
  readonly authTime: Date
}

const p = (components: string[], realm: string, nameType = 1): Principal => ({
  nameType,
  components,
  realm,
})

/** MIT t_pac.c `member_keyblock` and `kdc_keyblock` (rc4-hmac). */
export const MIT_MEMBER_KEY = new KerberosKey(23, fromHex('D217FAEAE5E6B5F95CCC94077AB8A5FC'))
export const MIT_KDC_KEY = new KerberosKey(23, fromHex('B286757148AF7FD252C53603A150B7E7'))
/** MIT t_pac.c `s4u_srv_key` and `s4u_tgt_srv_key` (aes256). */
export const S4U_SRV_KEY = new KerberosKey(
  18,
  fromHex('14DFB5B2CDB42C8894DA2FA882E9729F4A4DC74BA02A242CC6A8D71079B9AD9A'),
)
export const S4U_TGT_SRV_KEY = new KerberosKey(
  18,
  fromHex('420C39C51A175404451F956B8C58E0F41BCA669A644795CA6E3AD55A3B918C9F'),
)

export function gokrb5ServiceKey(): KerberosKey {
  return parseKeytab(pacFixture('gokrb5-syshttp.keytab')).entries[0]!.key
}

/** Every sample whose server signature can be checked. */
export function samplePACs(): SamplePAC[] {
  const w2k8 = (file: string, t: number, enterprise: boolean, xrealm: boolean): SamplePAC => ({
    name: `MIT t_pac.c ${file}`,
    bytes: pacFixture(file),
    serviceKey: xrealm ? S4U_TGT_SRV_KEY : S4U_SRV_KEY,
    client: enterprise ? p(['w2k8u@abc'], 'ACME.COM', 10) : p(['w2k8u'], 'ACME.COM'),
    authTime: new Date(t * 1000),
  })
  const gokrb5 = findPAC(decodeAuthorizationData(pacFixture('gokrb5-ad-gokrb5.der')))!
  return [
    {
      name: 'MIT t_pac.c saved_pac (Samba torture, Windows 2003)',
      bytes: pacFixture('saved-pac.bin'),
      serviceKey: MIT_MEMBER_KEY,
      kdcKey: MIT_KDC_KEY,
      client: p(['w2003final$'], 'WIN2K3.THINKER.LOCAL'),
      authTime: new Date(1120440609 * 1000),
    },
    w2k8('s4u-pac-regular.bin', 1538430362, false, false),
    w2k8('s4u-pac-enterprise.bin', 1538437551, true, false),
    w2k8('s4u-pac-xrealm.bin', 1538469429, false, true),
    w2k8('s4u-pac-ent-xrealm.bin', 1538484998, true, true),
    {
      name: 'gokrb5 MarshaledPAC_AuthorizationData_GOKRB5',
      bytes: gokrb5,
      serviceKey: gokrb5ServiceKey(),
      client: p(['testuser1'], 'TEST.GOKRB5'),
      // gokrb5's test does not state the authtime; CLIENT_INFO says 2017-05-06T15:53:11Z.
      authTime: new Date(Date.UTC(2017, 4, 6, 15, 53, 11)),
    },
  ]
}
