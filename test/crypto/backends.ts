/** The backends every crypto test runs against, and small shared helpers. */
import { fromHex, toHex } from '../../src/internal/bytes.js'
import { pureBackend, type CryptoBackend } from '../../src/crypto/index.js'
import { nodeBackend } from '../../src/node/crypto-backend.js'

/** Both backends: the pure default and node:crypto. */
export const BACKENDS: readonly CryptoBackend[] = [pureBackend, nodeBackend]

/** Hex → bytes, with null/undefined as empty. */
export const h = (hex: string | null | undefined): Uint8Array => fromHex(hex ?? '')

/** Bytes → lowercase hex. */
export const x = (bytes: Uint8Array): string => toHex(bytes)
