/**
 * The SSH wire encoding (RFC 4251 §5) that public key blobs and SSHSIG signatures are made of:
 * big-endian uint32 lengths in front of strings and multiple-precision integers.
 */

export class SshWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SshWireError';
  }
}

export class SshReader {
  private offset = 0;

  constructor(private readonly bytes: Uint8Array) {}

  get done(): boolean {
    return this.offset === this.bytes.length;
  }

  raw(length: number): Uint8Array {
    if (this.offset + length > this.bytes.length) {
      throw new SshWireError(`truncated: wanted ${length} bytes at offset ${this.offset} of ${this.bytes.length}`);
    }
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  uint32(): number {
    const b = this.raw(4);
    return ((b[0] ?? 0) * 2 ** 24) + (((b[1] ?? 0) << 16) | ((b[2] ?? 0) << 8) | (b[3] ?? 0));
  }

  string(): Uint8Array {
    return this.raw(this.uint32());
  }

  text(): string {
    return Buffer.from(this.string()).toString('latin1');
  }

  /** An unsigned mpint as its minimal big-endian magnitude (the sign-padding zero dropped). */
  unsignedMpint(): Uint8Array {
    const value = this.string();
    if (value.length > 0 && (value[0] ?? 0) & 0x80) throw new SshWireError('negative mpint where a positive one belongs');
    let start = 0;
    while (start < value.length && value[start] === 0) start++;
    return value.subarray(start);
  }

  /** Rejects trailing bytes: a blob with extra data is not the blob it claims to be. */
  end(what: string): void {
    if (!this.done) throw new SshWireError(`${this.bytes.length - this.offset} unexpected trailing bytes after ${what}`);
  }
}

/** Encodes an SSH `string`: uint32 length, then the bytes. */
export function sshString(value: Uint8Array | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : Buffer.from(value);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}
