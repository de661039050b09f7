package io.stored.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.stored.api.Problems;
import io.stored.ring.Member;
import io.stored.ring.MemberState;
import io.stored.ring.Placement;
import io.stored.ring.Ring;
import io.stored.ring.RingDescription;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** Pods learn the ring from the ring ConfigMap (mock API server, CRUD mode). */
@EnableKubernetesMockClient(crud = true)
class RingWatcherTest {
  KubernetesClient client;

  @Test
  void everyRingWrittenToTheConfigMap_reachesTheWatcher_andGarbageIsIgnored() throws Exception {
    List<Ring> seen = new CopyOnWriteArrayList<>();
    client
        .resource(
            new ConfigMapBuilder()
                .withNewMetadata()
                .withName("demo-ring")
                .withNamespace("ns")
                .endMetadata()
                .build())
        .create();
    try (RingWatcher w = new RingWatcher(client, "ns", "demo-ring", seen::add)) {
      Ring one = Placement.rebalance(Ring.empty(16), members(2), 2);
      write(one);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 1);
      assertThat(seen.get(0)).usingRecursiveComparison().isEqualTo(one);

      client
          .configMaps()
          .inNamespace("ns")
          .withName("demo-ring")
          .edit(
              cm ->
                  new ConfigMapBuilder(cm)
                      .withData(Map.of(RingWatcher.KEY, "{not a ring"))
                      .build());
      Ring two = Placement.rebalance(one, members(3), 2);
      write(two);
      Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 2);
      assertThat(seen.get(1).epoch()).isEqualTo(two.epoch());
      assertThat(seen.get(1).members()).hasSize(3);
    }
  }

  private void write(Ring ring) throws Exception {
    String json = Problems.JSON.writeValueAsString(RingDescription.of(ring));
    client
        .configMaps()
        .inNamespace("ns")
        .withName("demo-ring")
        .edit(cm -> new ConfigMapBuilder(cm).withData(Map.of(RingWatcher.KEY, json)).build());
  }

  private static List<Member> members(int n) {
    return java.util.stream.IntStream.range(0, n)
        .mapToObj(i -> new Member("s" + i, "h:" + i, MemberState.ACTIVE))
        .toList();
  }
}
