import type { KAFKA_COMPRESSIONS } from '@hookline/config';
import kafkajs from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import { compressFrame, decompressFrame } from 'lz4-napi';
import { promisify } from 'node:util';
import { zstdCompress, zstdDecompress } from 'node:zlib';

// kafkajs is CommonJS, and Node's ESM loader does not see these among its named exports.
const { CompressionCodecs, CompressionTypes } = kafkajs;
const zstd = { compress: promisify(zstdCompress), decompress: promisify(zstdDecompress) };

/** HOOKLINE_KAFKA_COMPRESSION as kafkajs' codec number. */
export const COMPRESSION_TYPE: Record<(typeof KAFKA_COMPRESSIONS)[number], kafkajs.CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/**
 * kafkajs ships gzip only; the other codecs Kafka defines are plugged into its (process-wide)
 * registry. Consumers need them as much as the producer: records a producer wrote to the ingest
 * topic with lz4 or zstd (the Java client's common choices) decode only with the codec present.
 * snappy: kafkajs' own plugin (pure JavaScript, reads the Java client's xerial framing); lz4: the
 * LZ4 frame format Kafka uses, by lz4-napi (prebuilt); zstd: Node's own zlib.
 */
export function registerCompressionCodecs(): void {
  CompressionCodecs[CompressionTypes.Snappy] = SnappyCodec;
  CompressionCodecs[CompressionTypes.LZ4] = () => ({
    compress: (encoder: { buffer: Buffer }) => compressFrame(encoder.buffer),
    decompress: (buffer: Buffer) => decompressFrame(buffer),
  });
  CompressionCodecs[CompressionTypes.ZSTD] = () => ({
    compress: (encoder: { buffer: Buffer }) => zstd.compress(encoder.buffer),
    decompress: (buffer: Buffer) => zstd.decompress(buffer),
  });
}
