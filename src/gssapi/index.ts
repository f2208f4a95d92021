/**
 * GSS-API for Kerberos: RFC 2743 token framing, the krb5 mechanism (RFC 4121) with initiator and
 * acceptor contexts and per-message tokens (RFC 4757 ones for rc4-hmac), and SPNEGO (RFC 4178).
 *
 * @example
 * ```ts
 * import { AcceptorContext } from 'kerberos-ts/gssapi'
 * const ctx = new AcceptorContext({ acceptor: new Acceptor({ keytab }) })
 * const reply = ctx.step(token)
 * const { message } = ctx.unwrap(wrapped)
 * ```
 *
 * @module
 */
export {
  MechOID,
  TokenId,
  MAX_TOKEN_LENGTH,
  encodeOID,
  decodeOID,
  isKrb5OID,
  frameGSSToken,
  unframeGSSToken,
  frameKrb5Token,
  unframeKrb5Token,
  type FramedToken,
  type Krb5Token,
} from './framing.js'
export {
  TokenFlags,
  checkCFXKey,
  makeMICToken,
  verifyMICToken,
  makeWrapToken,
  unwrapToken,
  rotateLeft,
  rotateRight,
  type TokenKeys,
  type TokenOptions,
  type ReadToken,
} from './per-message.js'
export {
  RC4TokenId,
  RC4Alg,
  isRC4Key,
  makeRC4MICToken,
  verifyRC4MICToken,
  makeRC4WrapToken,
  unwrapRC4Token,
  type RC4TokenOptions,
} from './rc4-tokens.js'
export { SequenceWindow, SEQUENCE_WINDOW, type SequenceProblem } from './seqstate.js'
export {
  SecurityContext,
  InitiatorContext,
  AcceptorContext,
  DEFAULT_INITIATOR_FLAGS,
  krbErrorNumber,
  enableRC4Tokens,
  type GSSCredentials,
  type ContextOptions,
  type InitiatorContextOptions,
  type AcceptorContextOptions,
  type UnwrapResult,
} from './context.js'
export {
  NegState,
  isNTLMSSP,
  ntlmError,
  encodeMechTypes,
  encodeNegTokenInit,
  encodeContextFlags,
  decodeNegTokenInit,
  decodeNegTokenInitInner,
  encodeNegTokenResp,
  decodeNegTokenResp,
  classifyToken,
  SpnegoAcceptorContext,
  SpnegoInitiatorContext,
  type NegTokenInit,
  type NegTokenResp,
  type TokenKind,
  type SpnegoAcceptorContextOptions,
  type SpnegoInitiatorContextOptions,
} from './spnego.js'
export {
  GSSFlags,
  GSS_CHECKSUM_TYPE,
  encodeGSSChecksum,
  decodeGSSChecksum,
  readDelegatedCredential,
  delegatedCredentials,
  channelBindingsHash,
  checkChannelBindings,
  kerbAPOptions,
  kerbAPOptionsAD,
  KERB_AP_OPTIONS_CBT,
  checkDelegatedClient,
  type ChannelBindingsCheck,
  type ChannelBindings,
  type GSSChecksum,
  type DelegatedCredential,
} from '../protocol/gss-checksum.js'
