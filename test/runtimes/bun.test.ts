/** The runtime matrix (issue 15 #3) in Bun (npm package `bun`). */
import { test } from 'node:test'
import { runMatrixEntry } from './matrix.js'

test('issue 15 #3: the scenario suite passes in Bun', (t) => runMatrixEntry(t, 'bun'))

test('issue 15 #3: the scenario suite passes in Bun against the packed package in node_modules', (t) =>
  runMatrixEntry(t, 'bun-package'))
