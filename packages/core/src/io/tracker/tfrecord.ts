import { maskedCrc32c } from './crc32c';

/**
 * Frames one record as TFRecord does: uint64 little-endian length, masked CRC-32C of those 8 bytes,
 * the data, masked CRC-32C of the data.
 */
export function frameTfRecord(data: Uint8Array): Uint8Array {
  const record = new Uint8Array(8 + 4 + data.length + 4);
  const view = new DataView(record.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(record.subarray(0, 8)), true);
  record.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return record;
}
