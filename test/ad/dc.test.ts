/** The Samba AD DC helper: one DC per run, KDC only, loopback only. */
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { after, before, describe, test } from 'node:test'
import { MIT_BIN } from '../helpers/realm.js'
import {
  AD_ACCOUNTS,
  sambaTimings,
  skipWithoutSamba,
  useSambaDC,
  type SambaDC,
} from '../helpers/samba.js'

describe('Samba AD DC helper', { skip: skipWithoutSamba() }, () => {
  let dc: SambaDC
  before(async () => {
    const t0 = Date.now()
    dc = await useSambaDC()
    console.log(`# samba DC ready in ${Date.now() - t0} ms`, JSON.stringify(sambaTimings), dc.pid)
  })
  after(async () => {
    await dc?.release()
  })

  test('MIT kinit logs in as a user of the DC', async () => {
    const cc = dc.path('alice.cc')
    await dc.run(MIT_BIN.kinit, ['-c', cc, 'alice'], { input: AD_ACCOUNTS.alice.password + '\n' })
    const list = await dc.run(MIT_BIN.klist, ['-c', cc])
    assert.match(list.stdout, /krbtgt\/AD\.TEST@AD\.TEST/)
  })

  test('the DC listens on 127.0.0.1 only (TCP and UDP, IPv4 and IPv6)', () => {
    for (const port of [dc.kdcPort, dc.kpasswdPort]) {
      const hexPort = port.toString(16).toUpperCase().padStart(4, '0')
      const bound: string[] = []
      for (const table of ['tcp', 'udp', 'tcp6', 'udp6']) {
        for (const line of readFileSync(`/proc/net/${table}`, 'utf8').split('\n').slice(1)) {
          const local = line.trim().split(/\s+/)[1]
          if (local?.endsWith(':' + hexPort)) bound.push(`${table} ${local}`)
        }
      }
      // 0100007F = 127.0.0.1 in /proc/net's little-endian hex.
      // Samba's prefork workers may each list the same socket: compare the distinct addresses.
      assert.deepEqual([...new Set(bound)].sort(), [
        `tcp 0100007F:${hexPort}`,
        `udp 0100007F:${hexPort}`,
      ])
    }
  })
})
