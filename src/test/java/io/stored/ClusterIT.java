package io.stored;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.stored.replication.Message;
import io.stored.replication.Reply;
import io.stored.testing.LocalCluster;
import io.stored.testing.RawHttp;
import io.stored.testing.RecordingWriter;
import io.stored.transport.ClusterKey;
import io.stored.transport.VertxPeers;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/**
 * The cluster as separate processes on loopback (3 stores, RF=2, an endpoint and the monkey, from
 * the packaged app), with clients writing continuously and recording every acknowledged write. Each
 * test ends by reading every key back: every acknowledged write is readable.
 */
class ClusterIT {
  private static final int Q = 256;
  private static final int WRITERS = 4;
  private static final int KEYS = 250;

  @Test
  void killMinus9AStore_everyAcknowledgedWriteIsReadable(TestInfo info) throws Exception {
    try (LocalCluster cluster = new LocalCluster(name(info), 3);
        RecordingWriter writer = writer(cluster)) {
      awaitProgress(writer, 2000);
      long killedAt = System.nanoTime();
      cluster.kill("s2");
      cluster.awaitState("s2", "down");
      System.out.printf(
          "[cluster] kill -9 s2: marked down and its partitions failed over %d ms after the kill%n",
          (System.nanoTime() - killedAt) / 1_000_000);
      awaitProgress(writer, 2000);
      long after = System.nanoTime();
      Map<Integer, Long> windows = writer.slowPartitions(killedAt, after, 100);
      report("kill -9 s2", writer, windows);
      assertThat(writer.statuses().keySet())
          .as("the endpoint retried through the failover (404: a delete found nothing)")
          .isSubsetOf(200, 201, 404);
      cluster.awaitSettled();
      assertThat(writer.verifyEveryAcknowledgedWriteIsReadable()).isEqualTo(WRITERS * KEYS);
    }
  }

  @Test
  void theTransport_takesOnlyMutualTlsPeersThatKnowTheSecret(TestInfo info) throws Exception {
    Vertx vertx = Vertx.vertx();
    try (LocalCluster cluster = new LocalCluster(name(info), 1)) {
      String s1 = cluster.transportAddress("s1");
      ClusterKey key = ClusterKey.of(cluster.secret());
      Duration deadline = Duration.ofSeconds(2);
      // the secret without the certificate, the certificate without the secret: refused
      for (VertxPeers outsider :
          List.of(
              new VertxPeers(vertx, m -> s1, deadline, key),
              new VertxPeers(
                  vertx,
                  m -> s1,
                  deadline,
                  ClusterKey.of("not-this-cluster's-secret"),
                  cluster.transportTls()))) {
        assertThatThrownBy(() -> status(outsider)).isInstanceOf(ExecutionException.class);
      }
      assertThat(status(new VertxPeers(vertx, m -> s1, deadline, key, cluster.transportTls())))
          .isInstanceOf(Reply.RingIs.class);
    } finally {
      vertx.close();
    }
  }

  private static Reply status(VertxPeers peers) throws Exception {
    return peers
        .send("s1", new Message.FetchRing(0))
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS);
  }

  @Test
  void scale3To5To3_whileWriting_nothingIsLost(TestInfo info) throws Exception {
    try (LocalCluster cluster = new LocalCluster(name(info), 3);
        RecordingWriter writer = writer(cluster)) {
      awaitProgress(writer, 1000);
      cluster.add("s4");
      cluster.add("s5");
      cluster.awaitSettled();
      awaitProgress(writer, 1000);
      cluster.remove("s1");
      cluster.remove("s2");
      cluster.awaitSettled();
      long settled = System.nanoTime();
      awaitProgress(writer, 1000);
      report("scale 3 -> 5 -> 3", writer, Map.of());
      assertThat(writer.statuses().keySet())
          .as("only 503 besides 2xx and a delete's 404")
          .isSubsetOf(200, 201, 404, 503);
      assertThat(writer.failuresSince(settled)).as("no failure once settled").isEmpty();
      assertThat(writer.verifyEveryAcknowledgedWriteIsReadable()).isEqualTo(WRITERS * KEYS);
      assertThat(cluster.ring()).doesNotContain("\"name\":\"s1\"", "\"name\":\"s2\"");
    }
  }

  @Test
  void rollingRestart_whileWriting_nothingIsLost(TestInfo info) throws Exception {
    try (LocalCluster cluster = new LocalCluster(name(info), 3);
        RecordingWriter writer = writer(cluster)) {
      awaitProgress(writer, 1000);
      for (String s : cluster.storeNames()) {
        cluster.restart(s);
        cluster.awaitSettled();
        awaitProgress(writer, 500);
      }
      report("rolling restart", writer, Map.of());
      assertThat(writer.statuses().keySet()).isSubsetOf(200, 201, 404, 503);
      assertThat(writer.verifyEveryAcknowledgedWriteIsReadable()).isEqualTo(WRITERS * KEYS);
    }
  }

  @Test
  void sigtermAStore_itHandsItsPartitionsOverBeforeItExits_andRejoinsWhenStarted(TestInfo info)
      throws Exception {
    try (LocalCluster cluster = new LocalCluster(name(info), 3);
        RecordingWriter writer = writer(cluster)) {
      awaitProgress(writer, 1000);
      cluster.stop("s3");
      assertThat(cluster.ring())
          .as("s3 left the ring before its process exited")
          .doesNotContain("\"name\":\"s3\"");
      awaitProgress(writer, 1000);
      cluster.start("s3");
      cluster.awaitState("s3", "active");
      cluster.awaitSettled();
      awaitProgress(writer, 500);
      report("SIGTERM s3, then start it again", writer, Map.of());
      assertThat(writer.statuses().keySet())
          .as("a graceful stop is invisible to clients (404: a delete found nothing)")
          .isSubsetOf(200, 201, 404);
      assertThat(writer.verifyEveryAcknowledgedWriteIsReadable()).isEqualTo(WRITERS * KEYS);
    }
  }

  @Test
  void aPausedPrimary_resumedAfterFailover_losesAndOverwritesNothing(TestInfo info)
      throws Exception {
    try (LocalCluster cluster = new LocalCluster(name(info), 3);
        RecordingWriter writer = writer(cluster)) {
      awaitProgress(writer, 1000);
      cluster.pause("s1");
      cluster.awaitState("s1", "down");
      // writes continue on the promoted backups while s1 still believes it leads
      awaitProgress(writer, 1500);
      cluster.resume("s1");
      cluster.awaitState("s1", "active");
      cluster.awaitSettled();
      awaitProgress(writer, 500);
      report("SIGSTOP s1, failover, SIGCONT", writer, Map.of());
      assertThat(writer.statuses().keySet()).isSubsetOf(200, 201, 404, 503);
      assertThat(writer.verifyEveryAcknowledgedWriteIsReadable()).isEqualTo(WRITERS * KEYS);
    }
  }

  @Test
  void deletes_leaveTombstonesOnTheBackups_forgottenAfterTheGrace(TestInfo info) throws Exception {
    try (LocalCluster cluster = new LocalCluster(name(info), 2)) {
      int n = 100;
      byte[] value = "v".getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < n; i++) {
        assertThat(RawHttp.send(cluster.endpoint(), "PUT", "/default/t" + i + "/0", value).status())
            .isEqualTo(201);
      }
      long deletedAt = System.nanoTime();
      for (int i = 0; i < n; i++) {
        assertThat(RawHttp.send(cluster.endpoint(), "DELETE", "/default/t" + i + "/0").status())
            .isEqualTo(200);
      }
      double held = tombstones(cluster);
      assertThat(System.nanoTime() - deletedAt)
          .as("counted within the grace")
          .isLessThan(LocalCluster.TOMBSTONE_GRACE.toNanos());
      assertThat(held).as("one per delete, on its backup (RF=2)").isEqualTo(n);

      Awaitility.await("the stores forget their tombstones")
          .atMost(LocalCluster.TOMBSTONE_GRACE.multipliedBy(4))
          .pollInterval(Duration.ofMillis(200))
          .until(() -> tombstones(cluster) == 0);
      for (int i = 0; i < n; i += 10) {
        assertThat(RawHttp.send(cluster.endpoint(), "GET", "/default/t" + i + "/0").status())
            .isEqualTo(404);
        assertThat(RawHttp.send(cluster.endpoint(), "PUT", "/default/t" + i + "/0", value).status())
            .isEqualTo(201);
      }
    }
  }

  @Test
  void lruEviction_isThePrimarys_andItsBackupDropsTheCopies_soAFailoverBringsNothingBack(
      TestInfo info) throws Exception {
    List<String> small = List.of("-Dstored.store.eviction=lru", "-Dstored.store.max-memory=256K");
    // two stores, RF=2: each holds a copy of every item, as primary or as backup
    try (LocalCluster cluster = new LocalCluster(name(info), 2, small)) {
      int n = 1000;
      byte[] value = "v".repeat(1024).getBytes(StandardCharsets.UTF_8);
      for (int i = 0; i < n; i++) {
        assertThat(RawHttp.send(cluster.endpoint(), "PUT", "/default/e" + i + "/0", value).status())
            .as("PUT e%d", i)
            .isEqualTo(201);
      }
      for (String s : cluster.storeNames()) {
        assertThat(cluster.metric(s, "stored_evictions_total"))
            .as("evictions on %s", s)
            .isPositive();
        assertThat(cluster.metric(s, "stored_memory_used_bytes"))
            .as("%s within its limit, backup copies included", s)
            .isLessThanOrEqualTo(cluster.metric(s, "stored_memory_max_bytes"));
      }
      Awaitility.await("both stores hold the same items")
          .atMost(Duration.ofSeconds(10))
          .pollInterval(Duration.ofMillis(100))
          .until(
              () ->
                  cluster.metric("s1", "stored_entries") == cluster.metric("s2", "stored_entries"));
      List<Integer> before = held(cluster, n);
      assertThat(before.size()).as("items kept of %d", n).isBetween(1, n / 2);

      cluster.kill("s1");
      cluster.awaitState("s1", "down");
      assertThat(held(cluster, n)).as("items readable from s2 alone").isEqualTo(before);
    }
  }

  /** The items {@code e0..e(n-1)} that read 200 (the others must read 404). */
  private static List<Integer> held(LocalCluster cluster, int n) throws Exception {
    List<Integer> found = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      int status = RawHttp.send(cluster.endpoint(), "GET", "/default/e" + i + "/0").status();
      assertThat(status).as("GET e%d", i).isIn(200, 404);
      if (status == 200) {
        found.add(i);
      }
    }
    return found;
  }

  private static double tombstones(LocalCluster cluster) {
    double sum = 0;
    for (String s : cluster.storeNames()) {
      double t = cluster.metric(s, "stored_tombstones");
      assertThat(t).as("%s exposes stored_tombstones", s).isNotNegative();
      sum += t;
    }
    return sum;
  }

  private static RecordingWriter writer(LocalCluster cluster) {
    return new RecordingWriter(cluster.endpoint(), WRITERS, KEYS, Q);
  }

  /** Waits until {@code more} further writes were acknowledged (the cluster makes progress). */
  private static void awaitProgress(RecordingWriter writer, int more) {
    int target = writer.acked() + more;
    Awaitility.await("" + more + " more acknowledged writes")
        .atMost(Duration.ofSeconds(90))
        .pollInterval(Duration.ofMillis(50))
        .until(() -> writer.acked() >= target);
  }

  private static void report(String what, RecordingWriter writer, Map<Integer, Long> windows) {
    List<Long> sorted = windows.values().stream().sorted().toList();
    System.out.printf(
        "[cluster] %s: statuses %s%s%n",
        what,
        writer.statuses(),
        sorted.isEmpty()
            ? ""
            : String.format(
                "; %d partitions stalled over 100 ms, window median %d ms, max %d ms",
                sorted.size(), sorted.get(sorted.size() / 2), sorted.get(sorted.size() - 1)));
  }

  private static String name(TestInfo info) {
    return info.getTestMethod().orElseThrow().getName();
  }
}
