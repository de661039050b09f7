package io.stored.replication;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stored.engine.Entry;
import io.stored.engine.ItemKey;
import io.stored.engine.Precondition;
import io.stored.engine.WriteResult;
import io.stored.ring.Member;
import io.stored.ring.MemberState;
import io.stored.ring.PartitionHash;
import io.stored.testing.TestClusters;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Primary-backup replication, fencing and state transfer between stores in one JVM. */
class ReplicaNodeTest {
  private static final int Q = 64;
  private TestClusters cluster;

  @BeforeEach
  void threeStores() {
    cluster = new TestClusters(Q, 2);
    for (String n : List.of("s0", "s1", "s2")) {
      cluster.start(n);
      cluster.set(n, MemberState.ACTIVE);
    }
  }

  @Test
  void anAcknowledgedWrite_isOnEveryOwner() throws Exception {
    Map<String, String> acked = writeMany(200, "v");
    assertOnEveryOwner(acked);
  }

  @Test
  void losingAPrimary_afterFailoverEveryAcknowledgedWriteIsReadable() throws Exception {
    Map<String, String> acked = writeMany(300, "before");
    cluster.cut("s1");
    cluster.set("s1", MemberState.DOWN);
    for (Map.Entry<String, String> e : acked.entrySet()) {
      ItemKey k = key(e.getKey());
      int p = partition(k);
      ReplicaNode primary = cluster.primaryOf(p);
      assertThat(primary.name()).isNotEqualTo("s1");
      assertThat(new String(primary.engine().get(p, k).value(), StandardCharsets.UTF_8))
          .isEqualTo(e.getValue());
    }
    // and writing continues on the promoted primaries
    assertThat(writeMany(100, "after")).hasSize(100);
  }

  @Test
  void aDeposedPrimary_cannotGetAWriteAcknowledged() throws Exception {
    ItemKey k = keyOwnedBy("s0");
    int p = partition(k);
    put(cluster.node("s0"), k, "acked");
    // s0 pauses; the cluster moves on without it
    cluster.cut("s0");
    cluster.set("s0", MemberState.DOWN);
    cluster.heal("s0");
    ReplicaNode stale = cluster.node("s0");
    assertThat(stale.router().ring().epoch()).isLessThan(cluster.ring().epoch());

    assertThatThrownBy(() -> put(stale, k, "lost?"))
        .hasCauseInstanceOf(ReplicationException.class)
        .hasMessageContaining("refused");
    ReplicaNode primary = cluster.primaryOf(p);
    assertThat(new String(primary.engine().get(p, k).value(), StandardCharsets.UTF_8))
        .isEqualTo("acked");
  }

  @Test
  void aBackupThatDoesNotAnswer_failsTheWrite_andNothingIsAcknowledged() {
    ItemKey k = keyOwnedBy("s0");
    int p = partition(k);
    String backup = cluster.ring().owners(p).get(1).name();
    cluster.cut(backup);
    assertThatThrownBy(() -> put(cluster.node("s0"), k, "v"))
        .hasCauseInstanceOf(ReplicationException.class)
        .hasMessageContaining(backup);
  }

  @Test
  void aWriteToANonPrimary_isRefused() {
    ItemKey k = keyOwnedBy("s0");
    int p = partition(k);
    String backup = cluster.ring().owners(p).get(1).name();
    assertThatThrownBy(() -> cluster.node(backup).put(p, k, bytes("v"), "t", 0, Precondition.NONE))
        .isInstanceOf(ReplicationException.class)
        .hasMessageContaining("not the primary");
  }

  @Test
  void messagesFromAnOlderEpoch_areRefused_andFromANewerOneAskForTheRing() {
    ReplicaNode s1 = cluster.node("s1");
    long epoch = s1.router().ring().epoch();
    assertThat(s1.handle(new Message.Replicate(epoch - 1, 0, List.of())))
        .isInstanceOf(Reply.Stale.class);
    assertThat(s1.handle(new Message.Replicate(epoch + 1, 0, List.of())))
        .isInstanceOf(Reply.Behind.class);
  }

  @Test
  void aJoiningStore_receivesItsPartitions_whileWritesContinue() throws Exception {
    Map<String, String> acked = new HashMap<>(writeMany(300, "old"));
    cluster.start("s3");
    cluster.set("s3", MemberState.JOINING);
    ReplicaNode joiner = cluster.node("s3");
    int owned = 0;
    for (int p = 0; p < Q; p++) {
      if (cluster.ring().owners(p).stream().anyMatch(m -> m.name().equals("s3"))) {
        owned++;
        acked.putAll(writeMany(5, "during-" + p));
        joiner.pull(p, 7).toCompletableFuture().get(5, TimeUnit.SECONDS);
      }
    }
    assertThat(owned).isGreaterThan(0);
    acked.putAll(writeMany(100, "after"));
    cluster.set("s3", MemberState.ACTIVE);
    assertOnEveryOwner(acked);
  }

  /** Every owner of each key's partition in the current ring holds the acknowledged value. */
  private void assertOnEveryOwner(Map<String, String> acked) {
    for (Map.Entry<String, String> e : acked.entrySet()) {
      ItemKey k = key(e.getKey());
      int p = partition(k);
      for (Member owner : cluster.ring().owners(p)) {
        Entry stored = cluster.node(owner.name()).engine().get(p, k);
        assertThat(stored).as("%s on %s", k, owner.name()).isNotNull();
        assertThat(new String(stored.value(), StandardCharsets.UTF_8)).isEqualTo(e.getValue());
      }
    }
  }

  private Map<String, String> writeMany(int n, String prefix) {
    Map<String, String> acked = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String k = "k" + (i % 150);
      ItemKey key = key(k);
      String v = prefix + "-" + i;
      put(cluster.primaryOf(partition(key)), key, v);
      acked.put(k, v);
    }
    return acked;
  }

  /**
   * Writes through {@code node}; a refused write throws CompletionException(ReplicationException).
   */
  private static WriteResult put(ReplicaNode node, ItemKey k, String v) {
    return node.put(partition(k), k, bytes(v), "t", 0, Precondition.NONE)
        .toCompletableFuture()
        .orTimeout(5, TimeUnit.SECONDS)
        .join();
  }

  private ItemKey keyOwnedBy(String primary) {
    for (int i = 0; ; i++) {
      ItemKey k = key("probe" + i);
      if (cluster.ring().owners(partition(k)).get(0).name().equals(primary)) {
        return k;
      }
    }
  }

  private static int partition(ItemKey k) {
    return PartitionHash.partition(
        PartitionHash.hash64(k.partitionKeyBytes(), 0, k.partitionKeyLength()), Q);
  }

  private static ItemKey key(String k) {
    return ItemKey.of("default", k, "0");
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
