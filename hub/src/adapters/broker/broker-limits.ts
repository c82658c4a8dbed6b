/** Default limits of the embedded broker, shared by its options and the hub's config schema. */
import { MAX_PAYLOAD_BYTES } from '../../../../shared/src/protocol/protocol.js';

/** Room for the topic and packet id on top of the largest payload the protocol allows. */
const HEADER_ROOM_BYTES = 1024;

export const DEFAULT_MAX_PACKET_BYTES = MAX_PAYLOAD_BYTES + HEADER_ROOM_BYTES;

export const DEFAULT_CONNECTION_RATE = {
  overall: { perSecond: 200, burst: 500 },
  perAddress: { perSecond: 20, burst: 40 },
} as const;
