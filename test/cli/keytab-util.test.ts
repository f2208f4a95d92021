import { test } from 'node:test'
import assert from 'node:assert/strict'
import { PassThrough } from 'node:stream'
import {
  UsageError,
  formatKlistTime,
  optionValue,
  parseArgs,
  readPassword,
} from '../../src/cli/util.js'

test('parseArgs: clusters, inline and separate values, long options, --, operands anywhere', () => {
  const spec = { '-t': false, '-K': false, '-c': true, '--ad-user': false, '--domain': true }
  const a = parseArgs(
    ['-tK', 'file', '-cFILE:/x', '--domain=ex.com', '--ad-user', '--', '-notopt'],
    spec,
  )
  assert.deepEqual(a.operands, ['file', '-notopt'])
  assert.equal(a.options.get('-t'), true)
  assert.equal(optionValue(a, '-c'), 'FILE:/x')
  assert.equal(optionValue(a, '--domain'), 'ex.com')
  assert.equal(optionValue(parseArgs(['-c', 'v', '--domain', 'd'], spec), '--domain'), 'd')
  assert.equal(parseArgs(['-'], spec).operands[0], '-')
  for (const bad of [['-x'], ['-c'], ['--nope'], ['--domain'], ['--ad-user=1']]) {
    assert.throws(() => parseArgs(bad, spec), UsageError, bad.join(' '))
  }
})

test('formatKlistTime: MM/DD/YY HH:MM:SS in local time', () => {
  const saved = process.env.TZ
  try {
    process.env.TZ = 'UTC'
    assert.equal(formatKlistTime(0), '01/01/70 00:00:00')
    assert.equal(formatKlistTime(1795412631), '11/23/26 05:43:51')
  } finally {
    if (saved === undefined) delete process.env.TZ
    else process.env.TZ = saved
  }
})

test('readPassword from a pipe: one line per call, CRLF trimmed, last line without newline', async () => {
  const input = new PassThrough()
  input.end('first\r\nsecond\nlast')
  const stream = input as unknown as NodeJS.ReadStream
  assert.equal(await readPassword('p: ', { input: stream }), 'first')
  assert.equal(await readPassword('p: ', { input: stream }), 'second')
  assert.equal(await readPassword('p: ', { input: stream }), 'last')
  assert.equal(await readPassword('p: ', { input: stream }), '')
})

test('readPassword waits for the newline across chunks', async () => {
  const input = new PassThrough()
  const stream = input as unknown as NodeJS.ReadStream
  const pending = readPassword('p: ', { input: stream })
  input.write('pä')
  input.write('ss\nrest')
  assert.equal(await pending, 'päss')
})
