package io.stored.ring;

import static io.stored.common.Checks.requireArgument;

import org.apache.commons.codec.digest.MurmurHash3;

/**
 * The stable mapping from a partition key to a partition. Part of the data format: changing it
 * moves every item, so golden-vector tests pin it.
 *
 * <p>Specification: the input is the UTF-8 bytes of the namespace, one 0x00 byte, then the UTF-8
 * bytes of the key (a namespace never contains 0x00, so the split is unambiguous). The hash is the
 * first 64-bit half ({@code h1}) of MurmurHash3 x64 128 with seed 0, as computed by Apache Commons
 * Codec {@code MurmurHash3.hash128x64} (and by Guava's {@code murmur3_128} {@code asLong()}). The
 * partition is that hash, read as an unsigned 64-bit integer, modulo Q.
 */
public final class PartitionHash {
  private PartitionHash() {}

  /** The 64-bit hash of {@code length} bytes of {@code bytes} starting at {@code offset}. */
  public static long hash64(byte[] bytes, int offset, int length) {
    return MurmurHash3.hash128x64(bytes, offset, length, 0)[0];
  }

  /** The partition of a hash among {@code partitions}. */
  public static int partition(long hash, int partitions) {
    requireArgument(partitions >= 1, "partitions must be at least 1, was %s", partitions);
    return (int) Long.remainderUnsigned(hash, partitions);
  }
}
