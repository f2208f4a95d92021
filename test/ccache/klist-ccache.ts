/** Read `klist -e -f -c` listings, and a minimal DER walk to find a ticket's enc-part etype. */

/** One credential as `klist -e -f` prints it. */
export interface KlistCred {
  readonly start: string
  readonly expires: string
  readonly server: string
  readonly renewUntil?: string
  readonly flags: string
  readonly skeyEtype: string
  readonly tktEtype: string
}

/** A parsed `klist -e -f -c` listing. */
export interface KlistCCache {
  readonly defaultPrincipal: string
  readonly creds: KlistCred[]
}

const CRED = /^(\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d)  (\d\d\/\d\d\/\d\d \d\d:\d\d:\d\d)  (.+)$/

export function parseKlistCCache(text: string): KlistCCache {
  const lines = text.split('\n')
  const def = /^Default principal: (.+)$/m.exec(text)
  const creds: KlistCred[] = []
  for (let i = 0; i < lines.length; i++) {
    const m = CRED.exec(lines[i]!)
    if (!m) continue
    let detail = ''
    while (i + 1 < lines.length && lines[i + 1]!.startsWith('\t'))
      detail += ' ' + lines[++i]!.trim()
    const renew = /renew until (\S+ \S+),/.exec(detail)
    const flags = /Flags: (\w*)/.exec(detail)
    const etypes = /Etype \(skey, tkt\): (\S+), (\S+)/.exec(detail)
    creds.push({
      start: m[1]!,
      expires: m[2]!,
      server: m[3]!.trim(),
      ...(renew ? { renewUntil: renew[1]! } : {}),
      flags: flags?.[1] ?? '',
      skeyEtype: etypes?.[1] ?? '',
      tktEtype: etypes?.[2] ?? '',
    })
  }
  return { defaultPrincipal: def?.[1] ?? '', creds }
}

function tlv(b: Uint8Array, at: number): { tag: number; start: number; end: number } {
  const tag = b[at]!
  let len = b[at + 1]!
  let start = at + 2
  if (len & 0x80) {
    const n = len & 0x7f
    len = 0
    for (let i = 0; i < n; i++) len = len * 256 + b[start + i]!
    start += n
  }
  return { tag, start, end: start + len }
}

function child(
  b: Uint8Array,
  parent: { start: number; end: number },
  tag: number,
): { tag: number; start: number; end: number } {
  for (let at = parent.start; at < parent.end;) {
    const t = tlv(b, at)
    if (t.tag === tag) return t
    at = t.end
  }
  throw new Error(`DER tag 0x${tag.toString(16)} not found`)
}

/** Ticket ::= [APPLICATION 1] SEQUENCE { ..., enc-part [3] EncryptedData { etype [0] Int32 ... } } */
export function ticketEtype(ticket: Uint8Array): number {
  const app = tlv(ticket, 0)
  const seq = tlv(ticket, app.start)
  const encPart = child(ticket, seq, 0xa3)
  const ed = tlv(ticket, encPart.start)
  const et = child(ticket, ed, 0xa0)
  const int = tlv(ticket, et.start)
  let v = 0
  for (let i = int.start; i < int.end; i++) v = v * 256 + ticket[i]!
  return v
}
