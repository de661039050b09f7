package io.stored.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** How a store pod's JVM and container are sized from {@code spec.stores.maxMemory}. */
class ClusterResourcesTest {
  private static final long MIB = 1024 * 1024;

  @ParameterizedTest
  @CsvSource({"1Gi, 1792", "16Gi, 24832", "100Mi, 406"})
  void aStorePod_hasAFixedPreTouchedHeap_andRoomOutsideItThatGrowsWithIt(
      String maxMemory, long heapMib) {
    StoredCluster c = new StoredCluster();
    c.setMetadata(
        new ObjectMetaBuilder().withName("demo").withNamespace("ns").withUid("u1").build());
    c.setSpec(new StoredClusterSpec());
    c.getSpec().getStores().setMaxMemory(maxMemory);
    Container store =
        new ClusterResources(c)
            .storeStatefulSet()
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .get(0);

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

  private static long bytes(Quantity q) {
    return Quantity.getAmountInBytes(q).longValue();
  }
}
