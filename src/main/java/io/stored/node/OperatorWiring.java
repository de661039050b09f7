package io.stored.node;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.stored.operator.ClusterMonkeys;
import io.stored.operator.RingConfigMaps;
import io.stored.transport.VertxPeers;
import io.vertx.core.Vertx;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The operator's monkeys: one per StoredCluster, over the internal transport. */
public class OperatorWiring {
  @Produces
  @Singleton
  ClusterMonkeys monkeys(Vertx vertx, KubernetesClient client, ClusterConfig config) {
    return new ClusterMonkeys(
        (addressOf, key, tls) -> new VertxPeers(vertx, addressOf, config.peerTimeout(), key, tls),
        config.monkeyInterval(),
        config.downAfter(),
        (key, ring) -> RingConfigMaps.publish(client, key, ring));
  }

  void close(@Disposes ClusterMonkeys monkeys) {
    monkeys.close();
  }
}
