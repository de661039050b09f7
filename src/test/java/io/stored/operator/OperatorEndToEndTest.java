package io.stored.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import io.stored.engine.ItemKey;
import io.stored.engine.Precondition;
import io.stored.replication.Message;
import io.stored.replication.Reply;
import io.stored.ring.Ring;
import io.stored.router.ClusterClient;
import io.stored.router.Router;
import io.stored.testing.FakeKubelet;
import io.stored.transport.VertxPeers;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator end to end on the mock API server, with a stand-in kubelet that runs each store pod
 * as a real store node on loopback: create a cluster, write through an endpoint client, scale 3 ->
 * 5 -> 3 and kill a store while writing; every acknowledged write is readable at the end and the
 * status tells the truth at each step.
 */
@EnableKubernetesMockClient(crud = true)
class OperatorEndToEndTest {
  private static final String NS = "e2e";
  private static final int Q = 64;
  private static final Duration WAIT = Duration.ofSeconds(60);

  KubernetesClient client;
  private final Vertx vertx = Vertx.vertx();
  private Operator operator;
  private ClusterMonkeys monkeys;
  private FakeKubelet kubelet;
  private final Set<String> phases = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void start() throws Exception {
    CrdTest.install(client);
    monkeys =
        new ClusterMonkeys(
            (addressOf, key, tls) ->
                new VertxPeers(vertx, addressOf, Duration.ofSeconds(1), key, tls),
            Duration.ofMillis(100),
            Duration.ofSeconds(1),
            (key, ring) -> RingConfigMaps.publish(client, key, ring));
    operator =
        new Operator(
            c ->
                c.withKubernetesClient(client)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(false));
    operator.register(new StoredClusterReconciler(client, monkeys), c -> c.settingNamespace(NS));
    operator.start();
    kubelet = new FakeKubelet(client, NS, vertx, Q);
  }

  @AfterEach
  void stop() throws Exception {
    operator.stop();
    monkeys.close();
    kubelet.close();
    vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void createWriteScale3To5To3AndKillAStore_everyAcknowledgedWriteIsReadable() throws Exception {
    StoredCluster c = new StoredCluster();
    c.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace(NS).build());
    c.setSpec(new StoredClusterSpec());
    c.getSpec().setPartitions(Q);
    client.resource(c).create();
    // every status the operator writes, in order (a watch sees each one; polling could miss some)
    client
        .resources(StoredCluster.class)
        .inNamespace(NS)
        .withName("demo")
        .watch(
            new io.fabric8.kubernetes.client.Watcher<>() {
              @Override
              public void eventReceived(Action action, StoredCluster r) {
                if (r.getStatus() != null && r.getStatus().getPhase() != null) {
                  phases.add(r.getStatus().getPhase());
                }
              }

              @Override
              public void onClose(io.fabric8.kubernetes.client.WatcherException e) {}
            });

    // The phase follows the StatefulSet's ready count, the members the pods: the kubelet updates
    // them one after the other, so both may take one more reconcile to agree.
    StoredClusterStatus ready =
        awaitStatus(
            s ->
                "Ready".equals(s.getPhase())
                    && s.getRingEpoch() > 0
                    && s.getMembers().size() == 3
                    && s.getMembers().stream().allMatch(StoredClusterStatus.Member::isReady));
    assertThat(ready.getMembers())
        .extracting(StoredClusterStatus.Member::getPod)
        .containsExactlyInAnyOrder("demo-store-0", "demo-store-1", "demo-store-2");
    assertThat(ready.getMembers())
        .allSatisfy(
            m -> {
              assertThat(m.getState()).isEqualTo("active");
              assertThat(m.isReady()).isTrue();
            });
    ConfigMap ring = client.configMaps().inNamespace(NS).withName("demo-ring").get();
    assertThat(ring.getData()).containsKey("ring.json");

    ClusterClient endpoint = endpoint();
    Writer writer = new Writer(endpoint);
    Thread t = new Thread(writer, "e2e-writer");
    t.start();
    try {
      writer.awaitMore(300);

      phases.clear();
      scale(5);
      StoredClusterStatus five =
          awaitStatus(s -> "Ready".equals(s.getPhase()) && activeMembers(s) == 5);
      assertThat(five.getReadyStores()).isEqualTo(5);
      assertThat(phases)
          .as("the status said so while it scaled")
          .containsAnyOf("Scaling", "Rebalancing");
      writer.awaitMore(300);

      phases.clear();
      scale(3);
      awaitStatus(
          s -> "Ready".equals(s.getPhase()) && activeMembers(s) == 3 && s.getMembers().size() == 3);
      assertThat(
              client
                  .apps()
                  .statefulSets()
                  .inNamespace(NS)
                  .withName("demo-store")
                  .get()
                  .getSpec()
                  .getReplicas())
          .as("the StatefulSet shrank once stores 3 and 4 had handed their partitions over")
          .isEqualTo(3);
      assertThat(phases).contains("Scaling");
      writer.awaitMore(300);

      phases.clear();
      long epochBefore = status().getRingEpoch();
      kubelet.kill("demo-store-1");
      awaitStatus(
          s ->
              s.getRingEpoch() > epochBefore
                  && "Ready".equals(s.getPhase())
                  && activeMembers(s) == 3);
      writer.awaitMore(300);
    } finally {
      writer.running.set(false);
      t.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(writer.failed.get()).as("writes that failed after all retries").isZero();
    int checked = 0;
    for (Map.Entry<String, String> e : writer.acked.entrySet()) {
      ItemKey key = ItemKey.of("default", e.getKey(), "0");
      Reply r =
          endpoint
              .call(key, false, (epoch, p) -> new Message.Get(epoch, p, key, false))
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      assertThat(r).as(e.getKey()).isInstanceOf(Reply.Item.class);
      assertThat(new String(((Reply.Item) r).item().value(), StandardCharsets.UTF_8))
          .as(e.getKey())
          .isEqualTo(e.getValue());
      checked++;
    }
    assertThat(checked).isEqualTo(Writer.KEYS);
  }

  @Test
  void autoscaling_addsAStore_whenMemoryUseGoesAboveTheTarget() throws Exception {
    StoredCluster c = new StoredCluster();
    c.setMetadata(new ObjectMetaBuilder().withName("demo").withNamespace(NS).build());
    c.setSpec(new StoredClusterSpec());
    c.getSpec().setPartitions(Q);
    c.getSpec().getStores().setReplicas(2);
    c.getSpec().getStores().setMaxMemory("1Mi");
    c.getSpec().getAutoscaling().setEnabled(true);
    c.getSpec().getAutoscaling().setMinStores(2);
    c.getSpec().getAutoscaling().setMaxStores(3);
    c.getSpec().getAutoscaling().setTargetMemoryUtilization(50);
    client.resource(c).create();
    awaitStatus(s -> "Ready".equals(s.getPhase()) && activeMembers(s) == 2);

    // RF=2 on 2 stores: each holds everything; ~700 KB of 1 MiB each is above 50 %
    ClusterClient endpoint = endpoint();
    byte[] value = new byte[1000];
    for (int i = 0; i < 500; i++) {
      ItemKey key = ItemKey.of("default", "big" + i, "0");
      Reply r =
          endpoint
              .call(
                  key,
                  false,
                  (epoch, p) -> new Message.Write(epoch, p, key, value, "b", 0, Precondition.NONE))
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);
      assertThat(r).isInstanceOf(Reply.Written.class);
    }
    Awaitility.await("the operator asks for a third store")
        .atMost(WAIT)
        .until(
            () ->
                client
                        .resources(StoredCluster.class)
                        .inNamespace(NS)
                        .withName("demo")
                        .get()
                        .getSpec()
                        .getStores()
                        .getReplicas()
                    == 3);
    StoredClusterStatus three =
        awaitStatus(s -> "Ready".equals(s.getPhase()) && activeMembers(s) == 3);
    assertThat(three.getReadyStores()).isEqualTo(3);
  }

  /** An endpoint: a cluster client that finds stores by the ring, seeded with the first pods. */
  private ClusterClient endpoint() {
    Router router = new Router(Ring.empty(Q));
    VertxPeers peers =
        new VertxPeers(
            vertx,
            FakeKubelet.addresses(router),
            Duration.ofSeconds(1),
            FakeKubelet.clusterKey(client, NS, "demo-transport", "secret"));
    ClusterClient client =
        new ClusterClient(
            router, peers, List.of("demo-store-0", "demo-store-1", "demo-store-2"), 15_000);
    client.refreshRing().join();
    return client;
  }

  private void scale(int stores) {
    client
        .resources(StoredCluster.class)
        .inNamespace(NS)
        .withName("demo")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"stores\":{\"replicas\":" + stores + "}}}");
  }

  private static long activeMembers(StoredClusterStatus s) {
    return s.getMembers().stream()
        .filter(m -> m.getState().equals("active") && m.isReady())
        .count();
  }

  private StoredClusterStatus status() {
    StoredCluster c = client.resources(StoredCluster.class).inNamespace(NS).withName("demo").get();
    return c == null ? null : c.getStatus();
  }

  private StoredClusterStatus awaitStatus(java.util.function.Predicate<StoredClusterStatus> until) {
    StoredClusterStatus[] seen = {null};
    try {
      Awaitility.await("demo's status")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(50))
          .until(
              () -> {
                seen[0] = status();
                return seen[0] != null && until.test(seen[0]);
              });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      throw new AssertionError("the status did not get there; last seen: " + seen[0], e);
    }
    return seen[0];
  }

  /** Writes keys k0..k199 in turn, recording the last acknowledged value of each. */
  private static final class Writer implements Runnable {
    static final int KEYS = 200;
    final ClusterClient client;
    final AtomicBoolean running = new AtomicBoolean(true);
    final Map<String, String> acked = new ConcurrentHashMap<>();
    final AtomicInteger count = new AtomicInteger();
    final AtomicInteger failed = new AtomicInteger();
    final List<String> failures = new ArrayList<>();

    Writer(ClusterClient client) {
      this.client = client;
    }

    @Override
    public void run() {
      for (int i = 0; running.get(); i++) {
        String k = "k" + (i % KEYS);
        String v = k + "@" + i;
        ItemKey key = ItemKey.of("default", k, "0");
        try {
          Reply r =
              client
                  .call(
                      key,
                      false,
                      (epoch, p) ->
                          new Message.Write(
                              epoch,
                              p,
                              key,
                              v.getBytes(StandardCharsets.UTF_8),
                              "text/plain",
                              0,
                              Precondition.NONE))
                  .toCompletableFuture()
                  .get(30, TimeUnit.SECONDS);
          if (r instanceof Reply.Written) {
            acked.put(k, v);
            count.incrementAndGet();
          } else {
            failed.incrementAndGet();
            failures.add(k + ": " + r);
          }
        } catch (Exception e) {
          failed.incrementAndGet();
          failures.add(k + ": " + e);
        }
      }
    }

    void awaitMore(int n) {
      int target = count.get() + n;
      Awaitility.await(n + " more acknowledged writes")
          .atMost(WAIT)
          .pollInterval(Duration.ofMillis(20))
          .until(() -> count.get() >= target);
    }
  }
}
