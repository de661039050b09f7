package io.stored.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * How a store pod's JVM and container are sized from {@code spec.stores.maxMemory}, and what {@code
 * spec.*.config} sets on the pods.
 */
class ClusterResourcesTest {
  private static final long MIB = 1024 * 1024;

  @ParameterizedTest
  @CsvSource({"1Gi, 1792", "16Gi, 24832", "100Mi, 406"})
  void aStorePod_hasAFixedPreTouchedHeap_andRoomOutsideItThatGrowsWithIt(
      String maxMemory, long heapMib) {
    StoredCluster c = cluster();
    c.getSpec().getStores().setMaxMemory(maxMemory);
    Container store = storeContainer(new ClusterResources(c));

    assertThat(store.getEnv())
        .filteredOn(e -> e.getName().equals("JAVA_OPTS_APPEND"))
        .extracting(EnvVar::getValue)
        .containsExactly("-Xms" + heapMib + "m -Xmx" + heapMib + "m -XX:+AlwaysPreTouch");
    long heap = heapMib * MIB;
    long limit = bytes(store.getResources().getLimits().get("memory"));
    long request = bytes(store.getResources().getRequests().get("memory"));
    // ParallelGC alone commits ~4 % of the heap for its tables; metaspace, code, threads and
    // Netty's buffers take ~200 MiB more
    assertThat(limit - heap).isGreaterThanOrEqualTo(256 * MIB + heap / 25);
    assertThat(request).isGreaterThan(heap).isLessThanOrEqualTo(limit);
  }

  @Test
  void specConfig_reachesThePodsAsEnvironment_andCannotSetWhatTheOperatorSets() {
    StoredCluster c = cluster();
    c.getSpec()
        .getStores()
        .setConfig(Map.of("stored.store.eviction", "lru", "stored.cluster.tombstone-grace", "30s"));
    c.getSpec().getEndpoints().setConfig(Map.of("stored.cluster.request-timeout", "10s"));
    ClusterResources r = new ClusterResources(c);
    Map<String, String> store = env(storeContainer(r));
    Map<String, String> endpoint = env(endpointContainer(r));
    assertThat(store)
        .containsEntry("STORED_STORE_EVICTION", "lru")
        .containsEntry("STORED_CLUSTER_TOMBSTONE_GRACE", "30s");
    assertThat(endpoint).containsEntry("STORED_CLUSTER_REQUEST_TIMEOUT", "10s");
    assertThat(SpecValidation.errors(c.getSpec(), null)).isEmpty();

    // every Stored setting the operator makes itself is one spec.*.config may not set
    Set<String> managed = new HashSet<>();
    ClusterResources.MANAGED_PROPERTIES.forEach(p -> managed.add(ClusterResources.envName(p)));
    ClusterResources plain = new ClusterResources(cluster());
    for (Map<String, String> operatorSet :
        List.of(env(storeContainer(plain)), env(endpointContainer(plain)))) {
      assertThat(operatorSet.keySet())
          .filteredOn(name -> name.startsWith("STORED_"))
          .isNotEmpty()
          .allSatisfy(name -> assertThat(managed).contains(name));
    }

    c.getSpec()
        .getStores()
        .setConfig(
            Map.of(
                "stored.ring.partitions", "8",
                "quarkus.http.port", "1",
                "stored.a-b", "x",
                "stored.a.b", "y"));
    assertThat(SpecValidation.errors(c.getSpec(), null))
        .containsExactlyInAnyOrder(
            "stores.config: stored.ring.partitions is set by the operator",
            "stores.config: 'quarkus.http.port' is not a Stored property (stored.*)",
            "stores.config: stored.a-b and stored.a.b are the same setting");
  }

  private static StoredCluster cluster() {
    StoredCluster c = new StoredCluster();
    c.setMetadata(
        new ObjectMetaBuilder().withName("demo").withNamespace("ns").withUid("u1").build());
    c.setSpec(new StoredClusterSpec());
    return c;
  }

  private static Container storeContainer(ClusterResources r) {
    return r.storeStatefulSet().getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static Container endpointContainer(ClusterResources r) {
    return r.endpointDeployment().getSpec().getTemplate().getSpec().getContainers().get(0);
  }

  private static Map<String, String> env(Container c) {
    Map<String, String> env = new HashMap<>();
    for (EnvVar e : c.getEnv()) {
      assertThat(env.put(e.getName(), e.getValue())).as("%s set once", e.getName()).isNull();
    }
    return env;
  }

  private static long bytes(Quantity q) {
    return Quantity.getAmountInBytes(q).longValue();
  }
}
