/** The loopback-only namespace that browsers and workerd run in (issue 15 item 3) has only `lo`. */
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { spawnSync } from 'node:child_process'
import { createLoopbackNetns, netnsInterfaces, requireNetns } from '../helpers/netns.js'

test('issue 15 #3: the runtime namespace has nothing but loopback, and 127.0.0.1 works inside it', (t) => {
  if (!requireNetns(t)) return
  const ns = createLoopbackNetns()
  try {
    assert.deepEqual(netnsInterfaces(ns), ['lo'])
    const argv = ns.command(process.execPath, [
      '-e',
      `const s=require('node:net').createServer(c=>c.end('ok')).listen(0,'127.0.0.1',()=>{
        const c=require('node:net').connect(s.address().port,'127.0.0.1');let d='';c.on('data',x=>d+=x);
        c.on('end',()=>{const o=require('node:net').connect(443,'8.8.8.8');
          o.on('error',e=>{console.log(d+' '+e.code);process.exit(0)});o.on('connect',()=>{console.log('OUT');process.exit(1)})})})`,
    ])
    const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'utf8', timeout: 20_000 })
    assert.equal(r.status, 0, r.stderr)
    assert.match(r.stdout, /^ok ENETUNREACH/)
  } finally {
    ns.close()
  }
})
