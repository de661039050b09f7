package io.stored.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.stored.engine.ItemKey;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Golden vectors: the partition of a key is part of the data format, so these values must never
 * change. The first vector is MurmurHash3 x64 128's published value for this sentence (128-bit
 * digest 6c1b07bc7bbc4be347939ac4a93c437a; h1 is its first 8 bytes, little-endian).
 */
class PartitionHashTest {

  @Test
  void hash64_matchesTheReferenceMurmur3Vector() {
    byte[] fox = "The quick brown fox jumps over the lazy dog".getBytes(StandardCharsets.UTF_8);
    assertThat(PartitionHash.hash64(fox, 0, fox.length)).isEqualTo(0xe34bbc7bbc071b6cL);
    assertThat(PartitionHash.hash64(new byte[0], 0, 0)).isZero();
  }

  @Test
  void partitionOfPartitionKeys_isPinned() {
    assertThat(partition("default", "foo", 1024)).isEqualTo(203);
    assertThat(partition("default", "k0", 1024)).isEqualTo(PINNED_K0);
    assertThat(partition("users", "alice", 1024)).isEqualTo(PINNED_ALICE);
    assertThat(partition("default", "caf\u00e9/\uD83D\uDE00", 1024)).isEqualTo(PINNED_UNICODE);
    assertThat(partition("default", "foo", 7)).isEqualTo(PINNED_FOO_7);
  }

  @Test
  void partition_readsTheHashAsUnsigned() {
    assertThat(PartitionHash.partition(-1L, 1024)).isEqualTo(1023);
    assertThat(PartitionHash.partition(Long.MIN_VALUE, 3))
        .isEqualTo((int) Long.remainderUnsigned(Long.MIN_VALUE, 3));
  }

  @Test
  void theIdIsNotPartOfThePartitionKey() {
    ItemKey a = ItemKey.of("default", "foo", "0");
    ItemKey b = ItemKey.of("default", "foo", "another id");
    assertThat(PartitionHash.hash64(a.partitionKeyBytes(), 0, a.partitionKeyLength()))
        .isEqualTo(PartitionHash.hash64(b.partitionKeyBytes(), 0, b.partitionKeyLength()));
  }

  // Computed once with an independent implementation of MurmurHash3 x64 128 (not this code).
  static final int PINNED_K0 = 560;
  static final int PINNED_ALICE = 640;
  static final int PINNED_UNICODE = 177;
  static final int PINNED_FOO_7 = 6;

  static int partition(String ns, String key, int q) {
    ItemKey k = ItemKey.of(ns, key, "0");
    return PartitionHash.partition(
        PartitionHash.hash64(k.partitionKeyBytes(), 0, k.partitionKeyLength()), q);
  }
}
