/**
 * Guards the embedded broker against oversized MQTT packets before they are buffered: aedes has
 * no maximum packet size and would accumulate a packet announcing 256 MiB until it is complete.
 * The guard reads only each fixed header's remaining length as bytes arrive.
 */
import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/** Follows packet boundaries in an MQTT byte stream, looking only at the fixed headers. */
export class MqttFrameScanner {
  /** Bytes of the current packet body still to skip; while 0 we are reading a fixed header. */
  private bodyLeft = 0;
  private inHeader = false;
  private length = 0;
  private multiplier = 1;
  private lengthBytes = 0;

  constructor(private readonly maxRemainingLength: number) {}

  /** Returns false once a packet announces more than the limit or a malformed length. */
  accept(chunk: Buffer): boolean {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.bodyLeft > 0) {
        const skip = Math.min(this.bodyLeft, chunk.length - offset);
        this.bodyLeft -= skip;
        offset += skip;
        continue;
      }
      const byte = chunk[offset++]!;
      if (!this.inHeader) {
        // The first byte is the packet type and flags; the remaining length follows.
        this.inHeader = true;
        this.length = 0;
        this.multiplier = 1;
        this.lengthBytes = 0;
        continue;
      }
      this.length += (byte & 0x7f) * this.multiplier;
      this.multiplier *= 128;
      this.lengthBytes += 1;
      if (this.length > this.maxRemainingLength) return false;
      if (byte & 0x80) {
        // MQTT allows at most four length bytes.
        if (this.lengthBytes === 4) return false;
        continue;
      }
      this.inHeader = false;
      this.bodyLeft = this.length;
    }
    return true;
  }
}

/** What the broker learns about the transport a client came in on. */
export interface PeerInfo {
  remoteAddress: string | undefined;
  /** Set for TLS connections whose client certificate verified against the configured CA. */
  verifiedCommonName?: string;
}

/**
 * A duplex in front of a socket for `broker.handle`: reads pass through the frame scanner, writes
 * go straight to the socket. An oversized packet destroys the socket and calls `onOversized`.
 */
export class GuardedConnection extends Duplex {
  private readonly scanner: MqttFrameScanner;

  constructor(
    private readonly socket: Socket,
    readonly peer: PeerInfo,
    maxRemainingLength: number,
    onOversized: () => void,
  ) {
    super({ allowHalfOpen: false });
    this.scanner = new MqttFrameScanner(maxRemainingLength);
    socket.on('data', (chunk: Buffer) => {
      if (!this.scanner.accept(chunk)) {
        onOversized();
        socket.destroy();
        this.destroy();
        return;
      }
      if (!this.push(chunk)) socket.pause();
    });
    socket.on('end', () => this.push(null));
    socket.on('error', (error) => this.destroy(error));
    socket.on('close', () => this.destroy());
    socket.on('drain', () => this.emit('drain'));
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, encoding, callback);
  }

  /**
   * aedes corks the stream while it writes a packet piecewise (header, topic, payload); passing
   * the pieces on as one write keeps a packet in one TCP segment instead of several small ones.
   */
  override _writev(chunks: { chunk: Buffer; encoding: BufferEncoding }[], callback: (error?: Error | null) => void): void {
    this.socket.write(chunks.length === 1 ? chunks[0]!.chunk : Buffer.concat(chunks.map(({ chunk }) => chunk)), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.socket.end(() => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
