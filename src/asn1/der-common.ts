/**
 * Shared pieces of the DER layer: identifier octets, tag names for messages, the encode error.
 *
 * @module
 */
import { KerberosError, ErrorCodes } from '../errors.js'

/** Identifier octets used by the codec. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  GENERALIZED_TIME: 0x18,
  GENERAL_STRING: 0x1b,
  SEQUENCE: 0x30,
} as const

/** The identifier octet of `[APPLICATION n]` (constructed). */
export function appTag(n: number): number {
  return 0x60 | n
}

/** The identifier octet of `[n]` (context-specific, constructed: Kerberos tags are EXPLICIT). */
export function ctxTag(n: number): number {
  return 0xa0 | n
}

/** A readable name for an identifier octet, for messages. */
export function describeTag(tag: number): string {
  if (tag < 0) return 'end of data'
  const cls = tag >> 6
  const num = tag & 0x1f
  if (cls === 1) return `[APPLICATION ${num}]`
  if (cls === 2) return `[${num}]`
  if (cls === 3) return `[PRIVATE ${num}]`
  const names: Readonly<Record<number, string>> = {
    1: 'BOOLEAN',
    2: 'INTEGER',
    3: 'BIT STRING',
    4: 'OCTET STRING',
    5: 'NULL',
    6: 'OBJECT IDENTIFIER',
    16: 'SEQUENCE',
    17: 'SET',
    24: 'GeneralizedTime',
    27: 'GeneralString',
  }
  return names[num] ?? `universal ${num}`
}

/** Throw `ERR_KRB_ASN1_ENCODE`. */
export function encodeFail(message: string): never {
  throw new KerberosError(ErrorCodes.ASN1_ENCODE, message)
}

/** A writable view of a readonly interface, for building decoded values field by field. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] }
