/**
 * ./explain.ts on demand: the error explanations are loaded when a KDC error or a failed reply
 * is to be explained, so a client that never fails carries none of their text up front
 * (docs/bundling.md). It comes in ./on-demand.ts, one chunk with the client's other lazy parts.
 *
 * @module
 */
import type * as ExplainModule from './explain.js'

/**
 * `use(explain)`, or `original` when ./explain.ts cannot be loaded (a lost chunk must not hide
 * the error being explained).
 */
export async function explained<T>(use: (m: typeof ExplainModule) => T, original: T): Promise<T> {
  let m: typeof ExplainModule
  try {
    m = await import('./on-demand.js')
  } catch {
    return original
  }
  return use(m)
}
