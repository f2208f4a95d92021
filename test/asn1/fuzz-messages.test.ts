import { test } from 'node:test'
import { ITERATIONS, WIRE_TYPES, corpora, fuzzCorpora } from './fuzz.js'

test(`${ITERATIONS} random mutations of each wire message: its decoder returns or throws ERR_KRB_ASN1_DECODE`, (t) => {
  fuzzCorpora(
    t,
    corpora().filter((c) => WIRE_TYPES.has(c.type)),
  )
})
