// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as Kafka's record batches carry it. Bit
// at a time: batches are small and few per simulated millisecond, so a table buys nothing here.

const POLYNOMIAL = 0x82f63b78;

/** The CRC-32C of `bytes`, as an unsigned 32-bit integer. */
export function crc32c(bytes: Uint8Array): number {
  let crc = ~0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = (crc >>> 1) ^ (POLYNOMIAL & -(crc & 1));
  }
  return ~crc >>> 0;
}
