/**
 * The runtime matrix (issue 15 #3) in Deno (npm package `deno`): the self-contained bundle, and
 * the suite against the packed package (`npm pack` of dist/) resolved from node_modules and
 * through an `npm:` import map — offline: the npm registry points at a closed loopback port.
 */
import { test } from 'node:test'
import { runMatrixEntry } from './matrix.js'

test('issue 15 #3: the scenario suite passes in Deno (bundle)', (t) => runMatrixEntry(t, 'deno'))

test('issue 15 #3: the scenario suite passes in Deno against the packed package in node_modules', (t) =>
  runMatrixEntry(t, 'deno-node-modules'))

test('issue 15 #3: the scenario suite passes in Deno with an npm: import map, offline', (t) =>
  runMatrixEntry(t, 'deno-npm-import-map'))
