/**
 * The one seam between the pure client and the network: something that delivers a KDC request
 * for a realm and returns the raw reply. `kerberos-ts/node` implements it over TCP and UDP
 * (RFC 4120 §7.2); tests and other runtimes plug in their own.
 *
 * @module
 */

/** Options for one {@link Transport.sendToKDC} call. */
export interface SendToKDCOptions {
  /** Abort the exchange; the transport rejects with `ERR_KRB_ABORTED` and closes its sockets. */
  readonly signal?: AbortSignal
  /** Use TCP first even when the request is small enough for UDP. */
  readonly preferTCP?: boolean
  /**
   * kpasswd only: rebuild the request for the local address the transport sends from (the
   * KRB-PRIV s-address, which Heimdal/Samba compare with the peer's view). `family` is
   * `IPv4` or `IPv6`.
   */
  readonly forLocalAddress?: (local: {
    readonly address: string
    readonly family: string
  }) => Uint8Array
}

/**
 * Delivers a DER-encoded KDC request (AS-REQ, TGS-REQ) to a KDC of `realm` and resolves with the
 * reply bytes (AS-REP, TGS-REP or KRB-ERROR), undecoded. Framing (the TCP length prefix),
 * KDC selection, retries and timeouts are the transport's business; a KRB-ERROR is a normal
 * reply, not a rejection. When no KDC answers it rejects with a `KerberosError` coded
 * `ERR_KRB_KDC_UNREACHABLE`.
 *
 * @example
 * ```ts
 * import type { Transport } from 'kerberos-ts'
 * const fixed: Transport = {
 *   async sendToKDC(_realm, _request) {
 *     return cannedReply
 *   },
 * }
 * ```
 */
export interface Transport {
  sendToKDC(realm: string, request: Uint8Array, options?: SendToKDCOptions): Promise<Uint8Array>
  /**
   * Deliver a kpasswd request (RFC 3244) to a kpasswd server of `realm` (`kpasswd_server`, else
   * `admin_server` port 464, else DNS SRV `_kpasswd._udp/_tcp`) and resolve with the reply
   * bytes, with the same framing, deadlines, failover and abort as {@link Transport.sendToKDC}.
   * Optional: a transport without it cannot change passwords.
   */
  sendToKpasswd?(
    realm: string,
    request: Uint8Array,
    options?: SendToKDCOptions,
  ): Promise<Uint8Array>
}
