package io.stored.replication;

import static org.assertj.core.api.Assertions.assertThat;

import io.stored.engine.EngineSettings;
import io.stored.engine.Entry;
import io.stored.engine.Eviction;
import io.stored.engine.ItemKey;
import io.stored.engine.Mutation;
import io.stored.engine.Precondition;
import io.stored.engine.StoreEngine;
import io.stored.engine.WriteResult;
import io.stored.ring.Member;
import io.stored.ring.MemberState;
import io.stored.ring.PartitionHash;
import io.stored.ring.Ring;
import io.stored.router.ClusterClient;
import io.stored.router.Router;
import io.stored.testing.TestClusters;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Replication, fencing, state transfer and failover between stores in one JVM, driven by the real
 * monkey and reached through the endpoint's client.
 */
class ReplicaNodeTest {
  private static final int Q = 64;
  private TestClusters cluster;
  private ClusterClient client;

  @BeforeEach
  void threeStores() {
    cluster = new TestClusters(Q, 2);
    for (String n : List.of("s0", "s1", "s2")) {
      cluster.start(n);
    }
    Ring ring = cluster.settle();
    assertThat(ring.members()).extracting(Member::state).containsOnly(MemberState.ACTIVE);
    client = cluster.client(2000);
  }

  @Test
  void anAcknowledgedWrite_isOnEveryOwner() {
    Map<String, String> acked = writeMany(200, "v");
    assertOnEveryOwner(acked);
  }

  @Test
  void losingAStore_afterFailoverEveryAcknowledgedWriteIsReadable_andRfIsRestored() {
    Map<String, String> acked = writeMany(300, "before");
    cluster.cut("s1");
    cluster.advance(TestClusters.DOWN_AFTER_MILLIS + 1);
    Ring failed = cluster.tick();
    assertThat(failed.member("s1").state()).isEqualTo(MemberState.DOWN);
    assertThat(failed.ownedBy("s1")).isZero();
    assertReadable(acked);
    acked.putAll(writeMany(100, "after"));
    Ring restored = cluster.settle();
    for (int p = 0; p < Q; p++) {
      assertThat(restored.owners(p)).hasSize(2);
    }
    assertOnEveryOwner(acked);
  }

  @Test
  void aDeposedPrimary_cannotGetAWriteAcknowledged() {
    ItemKey k = keyOwnedBy("s0");
    int p = partition(k);
    assertThat(write(cluster.node("s0"), cluster.ring().epoch(), k, "acked"))
        .isInstanceOf(Reply.Written.class);
    long oldEpoch = cluster.ring().epoch();
    // s0 pauses; the cluster moves on without it; then s0 wakes up with its old ring
    cluster.cut("s0");
    cluster.advance(TestClusters.DOWN_AFTER_MILLIS + 1);
    cluster.tick();
    cluster.heal("s0");
    ReplicaNode stale = cluster.node("s0");
    assertThat(stale.router().ring().epoch()).isEqualTo(oldEpoch);

    Reply reply = write(stale, oldEpoch, k, "lost?");
    assertThat(reply).isInstanceOf(Reply.Stale.class);
    assertThat(value(get(k))).isEqualTo("acked");
    // the monkey sees it back: it re-joins empty and its stale copy is gone
    Ring back = cluster.settle();
    assertThat(back.member("s0").state()).isEqualTo(MemberState.ACTIVE);
    assertThat(value(get(k))).isEqualTo("acked");
  }

  @Test
  void afterFailover_conditionalWritesStillMatch_andVersionsKeepGrowing() {
    ItemKey k = keyOwnedBy("s0");
    int p = partition(k);
    long v1 = ((Reply.Written) writeVia(k, "one", Precondition.NONE)).version();
    cluster.cut("s0");
    cluster.advance(TestClusters.DOWN_AFTER_MILLIS + 1);
    assertThat(cluster.tick().isPrimary(p, "s0")).isFalse();

    Precondition ifMatchOld = new Precondition(new long[] {v1 - 1}, false, null, false);
    assertThat(((Reply.Written) writeVia(k, "stale", ifMatchOld)).outcome())
        .isEqualTo(WriteResult.Outcome.PRECONDITION_FAILED);
    Precondition ifMatch = new Precondition(new long[] {v1}, false, null, false);
    Reply.Written w = (Reply.Written) writeVia(k, "two", ifMatch);
    assertThat(w.outcome()).isEqualTo(WriteResult.Outcome.UPDATED);
    assertThat(w.version()).as("the promoted backup continues the sequence").isGreaterThan(v1);
    assertThat(((Reply.Item) get(k)).item().version()).isEqualTo(w.version());
  }

  @Test
  void readAny_mayBeAnsweredByABackup_butAPrimaryReadIsNot() {
    writeMany(10, "v");
    ItemKey k = key("k3");
    int p = partition(k);
    ReplicaNode backup = cluster.node(cluster.ring().owners(p).get(1).name());
    long epoch = cluster.ring().epoch();
    assertThat(value(join(backup.handle(new Message.Get(epoch, p, k, true))))).isEqualTo("v-3");
    assertThat(join(backup.handle(new Message.Get(epoch, p, k, false))))
        .isEqualTo(new Reply.NotOwner(epoch, p));
  }

  @Test
  void withNoReachableOwner_theClientGivesUpAtItsDeadline_withTheReason() {
    ItemKey k = keyWithNoReachableOwner();
    ClusterClient impatient = cluster.client(300);
    long start = System.nanoTime();
    Reply r = join(impatient.call(k, false, (epoch, q) -> new Message.Get(epoch, q, k, false)));
    assertThat(r).isInstanceOf(Reply.Unavailable.class);
    assertThat(((Reply.Unavailable) r).reason()).contains("did not answer");
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isBetween(java.time.Duration.ofMillis(290), java.time.Duration.ofSeconds(3));
  }

  @Test
  void theClientsDeadline_countsFromTheRequestsArrival() {
    ItemKey k = keyWithNoReachableOwner();
    ClusterClient client = cluster.client(5_000);
    // a request that arrived 4.7 s ago has 0.3 s of its 5 s left to retry in
    long arrived = System.nanoTime() - java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(4_700);
    long start = System.nanoTime();
    Reply r =
        join(client.call(k, false, (epoch, q) -> new Message.Get(epoch, q, k, false), arrived));
    assertThat(r).isInstanceOf(Reply.Unavailable.class);
    assertThat(java.time.Duration.ofNanos(System.nanoTime() - start))
        .isBetween(java.time.Duration.ofMillis(200), java.time.Duration.ofSeconds(3));
  }

  /** A key of s0's whose partition's owners are all cut off from the clients. */
  private ItemKey keyWithNoReachableOwner() {
    ItemKey k = keyOwnedBy("s0");
    cluster.ring().owners(partition(k)).forEach(m -> cluster.cut(m.name()));
    return k;
  }

  @Test
  void aRestartedMonkey_adoptsTheStoresRing_andChangesNothing() {
    Map<String, String> acked = writeMany(100, "v");
    Ring before = cluster.ring();
    cluster.restartMonkey();
    Ring adopted = cluster.settle();
    assertThat(adopted.epoch()).isEqualTo(before.epoch());
    assertThat(adopted.members()).isEqualTo(before.members());
    assertReadable(acked);
  }

  @Test
  void aBackupThatDoesNotAnswer_failsTheWrite_andNothingIsAcknowledged() {
    ItemKey k = keyOwnedBy("s0");
    int p = partition(k);
    String backup = cluster.ring().owners(p).get(1).name();
    cluster.cut(backup);
    Reply r = write(cluster.node("s0"), cluster.ring().epoch(), k, "v");
    assertThat(r).isInstanceOf(Reply.Unavailable.class);
    assertThat(((Reply.Unavailable) r).reason()).contains(backup);
  }

  @Test
  void aRetriedWrite_answeredNotFoundOrPreconditionFailed_isTrueOnTheBackupToo() {
    Placed at = placedOnS0();
    ItemKey deleted = at.key();
    int p = at.partition();
    ItemKey created = ItemKey.of("default", deleted.key(), "1");
    assertThat(partition(created)).isEqualTo(p);
    assertThat(write(at.primary(), at.epoch(), deleted, "v")).isInstanceOf(Reply.Written.class);
    Message.Write delete =
        new Message.Write(at.epoch(), p, deleted, null, null, 0, Precondition.NONE);
    Precondition ifNoneMatchAny = new Precondition(null, false, null, true);
    Message.Write create =
        new Message.Write(at.epoch(), p, created, bytes("mine"), "t", 0, ifNoneMatchAny);

    // the first attempts reach the primary only: the backup does not answer
    cluster.cut(at.backup().name());
    assertThat(join(at.primary().handle(delete))).isInstanceOf(Reply.Unavailable.class);
    assertThat(join(at.primary().handle(create))).isInstanceOf(Reply.Unavailable.class);
    cluster.heal(at.backup().name());
    assertThat(at.backup().engine().get(p, deleted)).isNotNull();
    assertThat(at.backup().engine().get(p, created)).isNull();

    // the endpoint tries again: nothing left to delete, the item to create exists
    assertThat(((Reply.Written) join(at.primary().handle(delete))).outcome())
        .isEqualTo(WriteResult.Outcome.NOT_FOUND);
    assertThat(((Reply.Written) join(at.primary().handle(create))).outcome())
        .isEqualTo(WriteResult.Outcome.PRECONDITION_FAILED);
    assertThat(at.backup().engine().get(p, deleted)).as("deleted on the backup too").isNull();
    Entry onBackup = at.backup().engine().get(p, created);
    assertThat(onBackup).as("created on the backup too").isNotNull();
    assertThat(onBackup.value()).isEqualTo(bytes("mine"));
    assertThat(onBackup.version()).isEqualTo(at.primary().engine().get(p, created).version());
  }

  @Test
  void aRetriedDeleteOfAWholeKey_findingNothing_leavesNoIdOnTheBackup() {
    Placed at = placedOnS0();
    ItemKey first = at.key();
    int p = at.partition();
    for (int id = 0; id < 3; id++) {
      ItemKey k = ItemKey.of("default", first.key(), "" + id);
      assertThat(write(at.primary(), at.epoch(), k, "v")).isInstanceOf(Reply.Written.class);
    }
    byte[] ns = bytes("default");
    Message.DeleteKey deleteKey = new Message.DeleteKey(at.epoch(), p, ns, bytes(first.key()));
    cluster.cut(at.backup().name());
    assertThat(join(at.primary().handle(deleteKey))).isInstanceOf(Reply.Unavailable.class);
    cluster.heal(at.backup().name());
    assertThat(at.backup().engine().listIds(p, ns, bytes(first.key()), null, 10).items())
        .hasSize(3);

    assertThat(join(at.primary().handle(deleteKey))).isEqualTo(new Reply.Count(at.epoch(), 0));
    assertThat(at.backup().engine().listIds(p, ns, bytes(first.key()), null, 10).items())
        .as("the ids the first attempt deleted on the primary alone")
        .isEmpty();
  }

  @Test
  void anItemItsPrimaryEvicts_isDroppedByItsBackupsToo_soAFailoverDoesNotBringItBack() {
    cluster = new TestClusters(Q, 2, 40_000, Eviction.LRU);
    for (String n : List.of("s0", "s1", "s2")) {
      cluster.start(n);
    }
    cluster.settle();
    client = cluster.client(2000);
    // about 210 KB of copies over three stores of 40 KB each: every store evicts
    String padding = "x".repeat(300);
    List<ItemKey> keys = new java.util.ArrayList<>();
    for (int i = 0; i < 300; i++) {
      ItemKey k = key("e" + i);
      keys.add(k);
      assertThat(writeVia(k, i + padding, Precondition.NONE)).isInstanceOf(Reply.Written.class);
    }
    for (String n : cluster.names()) {
      assertThat(cluster.node(n).engine().evictions()).as("evictions on %s", n).isPositive();
    }
    Map<ItemKey, Boolean> heldBefore = new HashMap<>();
    Awaitility.await()
        .atMost(5, TimeUnit.SECONDS)
        .untilAsserted(
            () -> {
              for (ItemKey k : keys) {
                int p = partition(k);
                List<Member> owners = cluster.ring().owners(p);
                boolean onPrimary = cluster.node(owners.get(0).name()).engine().get(p, k) != null;
                assertThat(cluster.node(owners.get(1).name()).engine().get(p, k) != null)
                    .as("%s on the backup, as on the primary", k)
                    .isEqualTo(onPrimary);
                heldBefore.put(k, onPrimary);
              }
            });
    assertThat(heldBefore).containsValue(true).containsValue(false);

    cluster.cut("s0");
    cluster.advance(TestClusters.DOWN_AFTER_MILLIS + 1);
    cluster.tick();
    for (ItemKey k : keys) {
      Reply r = get(k);
      assertThat(r).isInstanceOf(Reply.Item.class);
      Entry item = ((Reply.Item) r).item();
      assertThat(item != null).as("%s held after the failover", k).isEqualTo(heldBefore.get(k));
    }
  }

  @Test
  void aWriteToANonPrimary_isRefused() {
    ItemKey k = keyOwnedBy("s0");
    int p = partition(k);
    String backup = cluster.ring().owners(p).get(1).name();
    assertThat(write(cluster.node(backup), cluster.ring().epoch(), k, "v"))
        .isEqualTo(new Reply.NotOwner(cluster.ring().epoch(), p));
  }

  @Test
  void messagesFromAnOlderEpoch_areRefused_andFromANewerOneAskToWait() {
    ReplicaNode s1 = cluster.node("s1");
    long epoch = s1.router().ring().epoch();
    assertThat(join(s1.handle(new Message.Replicate(epoch - 1, 0, List.of()))))
        .isInstanceOf(Reply.Stale.class);
    assertThat(join(s1.handle(new Message.Replicate(epoch + 1, 0, List.of()))))
        .isInstanceOf(Reply.Behind.class);
  }

  @Test
  void aBackupForgetsADeleteAfterTheGrace_thenRefusesTheWriteItSuperseded() {
    Placed at = placedOnS0();
    ItemKey k = at.key();
    int p = at.partition();
    assertThat(write(at.primary(), at.epoch(), k, "v")).isInstanceOf(Reply.Written.class);
    // the write's replication message, as if it had been held up on the way to the backup
    Entry written = at.primary().engine().get(p, k);
    Mutation late = new Mutation(k, written.value(), "t", written.version(), 0);
    assertThat(delete(at.primary(), at.epoch(), k)).isInstanceOf(Reply.Written.class);
    assertThat(at.backup().engine().tombstones(p)).isEqualTo(1);
    assertThat(at.primary().engine().tombstones(p)).isZero();

    cluster.advance(9_000);
    assertThat(at.backup().forgetTombstones(10_000)).as("younger than the grace").isZero();
    cluster.advance(2_000);
    assertThat(at.backup().forgetTombstones(10_000)).isEqualTo(1);
    assertThat(at.backup().engine().tombstones(p)).isZero();

    Reply r = join(at.backup().handle(new Message.Replicate(at.epoch(), p, List.of(late))));
    assertThat(r).isInstanceOf(Reply.Unavailable.class);
    assertThat(((Reply.Unavailable) r).reason())
        .contains("partition " + p, "older than deletes this store has forgotten");
    assertThat(at.backup().engine().get(p, k)).as("the delete is not undone").isNull();
    // new writes of the item replicate as before
    assertThat(write(at.primary(), at.epoch(), k, "again")).isInstanceOf(Reply.Written.class);
    assertThat(at.backup().engine().get(p, k).value()).isEqualTo(bytes("again"));
  }

  @Test
  void aPartitionBeingReceived_keepsItsTombstones_whileItsOwnersForgetTheirs() {
    cluster.hold(Message.FetchSnapshot.class);
    ReplicaNode joiner = cluster.start("s3");
    Ring moving = cluster.tick();
    assertThat(joiner.pulling()).isPositive();
    int p = 0;
    while (!moving.isPending(p, "s3")) {
      p++;
    }
    ItemKey k = keyIn(p);
    ReplicaNode primary = cluster.node(moving.owners(p).get(0).name());
    ReplicaNode backup = cluster.node(moving.owners(p).get(1).name());
    assertThat(write(primary, moving.epoch(), k, "v")).isInstanceOf(Reply.Written.class);
    assertThat(delete(primary, moving.epoch(), k)).isInstanceOf(Reply.Written.class);
    assertThat(joiner.engine().tombstones(p)).isEqualTo(1);
    assertThat(backup.engine().tombstones(p)).isEqualTo(1);

    cluster.advance(60_000);
    joiner.forgetTombstones(10_000);
    backup.forgetTombstones(10_000);
    assertThat(joiner.engine().tombstones(p)).as("a chunk may still bring the item").isEqualTo(1);
    assertThat(backup.engine().tombstones(p)).isZero();
  }

  @Test
  void aChunkOfATransferCalledOffSince_isNotApplied_soADeleteIsNotUndone() {
    Ring settled = cluster.ring();
    int p = 0;
    ItemKey k = keyIn(p);
    ReplicaNode primary = cluster.node(settled.owners(p).get(0).name());
    assertThat(write(primary, settled.epoch(), k, "v")).isInstanceOf(Reply.Written.class);
    cluster.hold(Message.FetchSnapshot.class);
    ReplicaNode joiner = cluster.start("s3");
    Ring receiving = receiver(settled, 1, p, true);
    Ring calledOff = receiver(settled, 2, p, false);
    Ring again = receiver(settled, 3, p, true);

    // s3 asks for the partition's first chunk; the answer, which holds k, is slow to come
    installEverywhere(receiving);
    assertThat(joiner.pulling()).isEqualTo(1);
    // the ring calls the transfer off; k is deleted; s3 is given the partition again, afresh
    installEverywhere(calledOff);
    assertThat(delete(primary, calledOff.epoch(), k)).isInstanceOf(Reply.Written.class);
    installEverywhere(again);
    assertThat(joiner.engine().tombstones(p)).as("the delete came before this transfer").isZero();

    cluster.release();
    Awaitility.await("the second transfer ends")
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> joiner.pulling() == 0);
    assertThat(joiner.engine().get(p, k)).as("the first transfer's chunk is not applied").isNull();
  }

  @Test
  void aJoiningStore_receivesItsPartitions_whileWritesContinue() {
    Map<String, String> acked = new HashMap<>(writeMany(300, "old"));
    cluster.start("s3");
    Ring moving = cluster.tick();
    assertThat(moving.member("s3").state()).isEqualTo(MemberState.JOINING);
    assertThat(moving.moving()).isTrue();
    acked.putAll(writeMany(150, "during"));
    Ring settled = cluster.settle();
    assertThat(settled.member("s3").state()).isEqualTo(MemberState.ACTIVE);
    assertThat(settled.ownedBy("s3")).isEqualTo(Q * 2 / 4);
    acked.putAll(writeMany(100, "after"));
    assertOnEveryOwner(acked);
    assertReadable(acked);
  }

  @Test
  void aLeavingStore_handsItsPartitionsOver_beforeItIsDropped() {
    Map<String, String> acked = writeMany(300, "v");
    cluster.leave("s2");
    Ring moving = cluster.tick();
    assertThat(moving.member("s2").state()).isEqualTo(MemberState.LEAVING);
    Ring settled = cluster.settle();
    assertThat(settled.member("s2")).isNull();
    assertThat(cluster.node("s2").engine().entries())
        .as("the leaver dropped what it no longer owns")
        .isZero();
    cluster.cut("s2");
    assertOnEveryOwner(acked);
    assertReadable(acked);
  }

  @Test
  void aDrainingStore_handsItsPartitionsOver_andJoinsAgainWhenItRestarts() {
    Map<String, String> acked = writeMany(300, "v");
    cluster.node("s2").startDraining();
    Ring moving = cluster.tick();
    assertThat(moving.member("s2").state()).isEqualTo(MemberState.LEAVING);
    acked.putAll(writeMany(100, "during"));
    Ring without = cluster.settle();
    assertThat(without.member("s2")).isNull();
    assertThat(cluster.node("s2").drained()).as("s2 may stop now").isTrue();
    assertReadable(acked);

    cluster.start("s2"); // the process restarted: same name, not draining
    Ring back = cluster.settle();
    assertThat(back.member("s2").state()).isEqualTo(MemberState.ACTIVE);
    assertThat(back.ownedBy("s2")).isPositive();
    assertOnEveryOwner(acked);
  }

  @Test
  void aStoreRestartedWithEmptyMemory_isRefilledBeforeItOwnsAnything() {
    Map<String, String> acked = writeMany(300, "v");
    cluster.start("s1"); // same name, new incarnation, empty engine
    Ring stripped = cluster.tick();
    assertThat(stripped.member("s1").state()).isEqualTo(MemberState.JOINING);
    assertThat(stripped.ownedBy("s1")).isZero();
    assertReadable(acked);
    cluster.settle();
    assertOnEveryOwner(acked);
  }

  @Test
  void aPullAnsweredStale_isFetchedAgainTheMomentTheNewerRingArrives() {
    Map<String, String> acked = writeMany(300, "v");
    Ring settled = cluster.ring();
    List<Member> members = new java.util.ArrayList<>(settled.members());
    members.add(new Member("s3", "mem://s3", MemberState.JOINING));
    int[][] owners = new int[Q][];
    int[][] pending = new int[Q][];
    for (int p = 0; p < Q; p++) {
      owners[p] = settled.owners(p).stream().mapToInt(members::indexOf).toArray();
      pending[p] = new int[] {members.indexOf(members.get(3))};
    }
    Ring joining = Ring.create(settled.epoch() + 1, members, Q, 2, owners, pending);
    Ring next = Ring.create(settled.epoch() + 2, members, Q, 2, owners, pending);
    // the primaries are a ring ahead of the joining store, so they answer its fetches Stale
    for (String n : List.of("s0", "s1", "s2")) {
      cluster.node(n).installed(next);
    }
    ReplicaNode s3 =
        new ReplicaNode(
            "s3",
            1,
            new StoreEngine(
                new EngineSettings(Q, 1 << 24, Eviction.NONE), io.stored.engine.Ticker.system()),
            new Router(Ring.empty(Q)),
            cluster::deliver,
            7);
    s3.installed(joining);
    assertThat(s3.pulling()).isEqualTo(Q);
    assertThat(s3.engine().entries()).isZero();

    // Delivery here is synchronous: had the pulls waited for a timer instead of the ring, they
    // would still be waiting when installed() returns.
    s3.installed(next);
    assertThat(s3.pulling()).isZero();
    assertThat(s3.engine().entries()).isEqualTo(acked.size());
  }

  @Test
  void aRingIsSentOnlyToWhoeverLacksItsEpoch() {
    Ring ring = cluster.ring();
    ReplicaNode s0 = cluster.node("s0");
    assertThat(join(s0.handle(new Message.FetchRing(ring.epoch()))))
        .isEqualTo(new Reply.Ack(ring.epoch()));
    for (long older : new long[] {0, ring.epoch() - 1}) {
      assertThat(join(s0.handle(new Message.FetchRing(older))))
          .isInstanceOfSatisfying(
              Reply.RingIs.class, r -> assertThat(r.ring().epoch()).isEqualTo(ring.epoch()));
    }
    // and the endpoint's refresh keeps the ring it has
    assertThat(client.refreshRing().orTimeout(5, TimeUnit.SECONDS).join().epoch())
        .isEqualTo(ring.epoch());
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

  private void assertReadable(Map<String, String> acked) {
    for (Map.Entry<String, String> e : acked.entrySet()) {
      assertThat(value(get(key(e.getKey())))).as(e.getKey()).isEqualTo(e.getValue());
    }
  }

  private Map<String, String> writeMany(int n, String prefix) {
    Map<String, String> acked = new HashMap<>();
    for (int i = 0; i < n; i++) {
      String k = "k" + (i % 150);
      ItemKey key = key(k);
      String v = prefix + "-" + i;
      Reply r =
          join(
              client.call(
                  key,
                  false,
                  (epoch, p) ->
                      new Message.Write(epoch, p, key, bytes(v), "t", 0, Precondition.NONE)));
      assertThat(r).as("write %s", k).isInstanceOf(Reply.Written.class);
      assertThat(((Reply.Written) r).outcome())
          .isIn(WriteResult.Outcome.CREATED, WriteResult.Outcome.UPDATED);
      acked.put(k, v);
    }
    return acked;
  }

  private Reply writeVia(ItemKey key, String v, Precondition pre) {
    return join(
        client.call(
            key, false, (epoch, p) -> new Message.Write(epoch, p, key, bytes(v), "t", 0, pre)));
  }

  private Reply get(ItemKey key) {
    return join(client.call(key, false, (epoch, p) -> new Message.Get(epoch, p, key, false)));
  }

  private static String value(Reply r) {
    assertThat(r).isInstanceOf(Reply.Item.class);
    return new String(((Reply.Item) r).item().value(), StandardCharsets.UTF_8);
  }

  private static Reply write(ReplicaNode node, long epoch, ItemKey k, String v) {
    return join(
        node.handle(
            new Message.Write(epoch, partition(k), k, bytes(v), "t", 0, Precondition.NONE)));
  }

  /**
   * {@code ring} with s3 as a joining member, {@code more} epochs later, receiving partition {@code
   * p} or not.
   */
  private static Ring receiver(Ring ring, int more, int p, boolean receives) {
    List<Member> members = new java.util.ArrayList<>(ring.members());
    members.add(new Member("s3", "mem://s3", MemberState.JOINING));
    int[][] owners = new int[Q][];
    int[][] pending = new int[Q][0];
    for (int q = 0; q < Q; q++) {
      owners[q] = ring.owners(q).stream().mapToInt(members::indexOf).toArray();
    }
    if (receives) {
      pending[p] = new int[] {members.size() - 1};
    }
    return Ring.create(ring.epoch() + more, members, Q, 2, owners, pending);
  }

  /** Installs {@code ring} on every store, s3 last (as it pulls from the others at once). */
  private void installEverywhere(Ring ring) {
    List<String> names = new java.util.ArrayList<>(cluster.names());
    names.sort(java.util.Comparator.comparing("s3"::equals));
    for (String n : names) {
      assertThat(cluster.node(n).installed(ring)).isEqualTo(new Reply.Ack(ring.epoch()));
    }
  }

  private static Reply delete(ReplicaNode node, long epoch, ItemKey k) {
    return join(
        node.handle(new Message.Write(epoch, partition(k), k, null, null, 0, Precondition.NONE)));
  }

  private static Reply join(java.util.concurrent.CompletionStage<Reply> r) {
    return r.toCompletableFuture().orTimeout(5, TimeUnit.SECONDS).join();
  }

  /** A key, its partition, and the partition's primary (s0), backup and epoch. */
  private record Placed(
      ItemKey key, int partition, ReplicaNode primary, ReplicaNode backup, long epoch) {}

  private Placed placedOnS0() {
    ItemKey k = keyOwnedBy("s0");
    int p = partition(k);
    Ring ring = cluster.ring();
    return new Placed(
        k, p, cluster.node("s0"), cluster.node(ring.owners(p).get(1).name()), ring.epoch());
  }

  private ItemKey keyOwnedBy(String primary) {
    for (int i = 0; ; i++) {
      ItemKey k = key("probe" + i);
      if (cluster.ring().owners(partition(k)).get(0).name().equals(primary)) {
        return k;
      }
    }
  }

  private static ItemKey keyIn(int partition) {
    for (int i = 0; ; i++) {
      ItemKey k = key("probe" + i);
      if (partition(k) == partition) {
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
