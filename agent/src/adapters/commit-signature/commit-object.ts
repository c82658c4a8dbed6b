/**
 * Pure parsing of a raw Git commit object (the bytes `git cat-file commit <sha>` prints) into its
 * signature and the payload the signature covers. Works on bytes, not strings, because the
 * payload must be reproduced byte for byte and a commit message need not be UTF-8.
 */

const LF = 0x0a;
const SPACE = 0x20;

/** `gpgsig` signs SHA-1 objects, `gpgsig-sha256` SHA-256 ones; git strips both before verifying. */
export const SIGNATURE_HEADERS = ['gpgsig', 'gpgsig-sha256'] as const;
export type SignatureHeader = (typeof SIGNATURE_HEADERS)[number];

export interface CommitHeader {
  name: string;
  /** The value with continuation lines joined by '\n' (their leading space removed), no final '\n'. */
  value: Uint8Array;
  /** Byte range of the header in the object, its continuation lines and final '\n' included. */
  start: number;
  end: number;
}

export interface CommitHeaders {
  headers: CommitHeader[];
  /** Offset of the blank line that separates headers from the message (the object length if none). */
  bodyStart: number;
}

/** Splits the header block; continuation lines (leading space) belong to the header before them. */
export function splitCommitHeaders(raw: Uint8Array): CommitHeaders {
  const headers: CommitHeader[] = [];
  let current: { name: string; start: number; lines: Uint8Array[] } | undefined;
  let offset = 0;
  const close = (end: number): void => {
    if (current) headers.push({ name: current.name, value: joinLines(current.lines), start: current.start, end });
    current = undefined;
  };
  while (offset < raw.length) {
    const newline = raw.indexOf(LF, offset);
    const lineEnd = newline === -1 ? raw.length : newline;
    const next = newline === -1 ? raw.length : newline + 1;
    if (lineEnd === offset) break; // the blank line: the message follows
    if (raw[offset] === SPACE && current) {
      current.lines.push(raw.subarray(offset + 1, lineEnd));
    } else {
      close(offset);
      const space = raw.subarray(offset, lineEnd).indexOf(SPACE);
      const nameEnd = space === -1 ? lineEnd : offset + space;
      const valueStart = space === -1 ? lineEnd : nameEnd + 1;
      current = { name: latin1(raw.subarray(offset, nameEnd)), start: offset, lines: [raw.subarray(valueStart, lineEnd)] };
    }
    offset = next;
  }
  close(offset);
  return { headers, bodyStart: offset };
}

export type CommitSignature =
  | { kind: 'unsigned' }
  | {
      kind: 'signed';
      header: SignatureHeader;
      /** The armored signature as the signing program wrote it, ending with '\n'. */
      signature: string;
      /** The object without its signature headers: exactly the bytes that were signed. */
      payload: Uint8Array;
    }
  /** A shape git would not write, e.g. two `gpgsig` headers (git would concatenate them). */
  | { kind: 'malformed'; message: string };

/**
 * Extracts the commit's signature and rebuilds the signed payload. `gpgsig` is preferred; a
 * `gpgsig-sha256` alone is used too, since it signs the same payload. Only these exact header
 * names are removed, so any other header an attacker adds stays in the payload and fails
 * verification instead of being silently ignored.
 */
export function extractCommitSignature(raw: Uint8Array): CommitSignature {
  const { headers } = splitCommitHeaders(raw);
  const signatureHeaders = headers.filter((h) => isSignatureHeader(h.name));
  if (signatureHeaders.length === 0) return { kind: 'unsigned' };
  for (const name of SIGNATURE_HEADERS) {
    if (signatureHeaders.filter((h) => h.name === name).length > 1) {
      return { kind: 'malformed', message: `the commit has more than one '${name}' header` };
    }
  }
  const chosen = signatureHeaders.find((h) => h.name === 'gpgsig') ?? signatureHeaders[0];
  if (!chosen || !isSignatureHeader(chosen.name)) return { kind: 'unsigned' };
  return {
    kind: 'signed',
    header: chosen.name,
    signature: `${latin1(chosen.value)}\n`,
    payload: withoutRanges(raw, signatureHeaders),
  };
}

function isSignatureHeader(name: string): name is SignatureHeader {
  return (SIGNATURE_HEADERS as readonly string[]).includes(name);
}

function withoutRanges(raw: Uint8Array, ranges: readonly { start: number; end: number }[]): Uint8Array {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const removed = sorted.reduce((sum, r) => sum + (r.end - r.start), 0);
  const out = new Uint8Array(raw.length - removed);
  let from = 0;
  let to = 0;
  for (const range of sorted) {
    out.set(raw.subarray(from, range.start), to);
    to += range.start - from;
    from = range.end;
  }
  out.set(raw.subarray(from), to);
  return out;
}

function joinLines(lines: readonly Uint8Array[]): Uint8Array {
  const length = lines.reduce((sum, line) => sum + line.length, 0) + Math.max(0, lines.length - 1);
  const out = new Uint8Array(length);
  let at = 0;
  lines.forEach((line, index) => {
    if (index > 0) out[at++] = LF;
    out.set(line, at);
    at += line.length;
  });
  return out;
}

/** Header names and armored signatures are ASCII; latin1 maps every byte, so nothing is lost. */
function latin1(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1');
}
