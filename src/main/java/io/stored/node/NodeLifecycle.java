package io.stored.node;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.stored.api.ApiConfig;
import io.stored.store.StoreNode;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Starts what this process's roles need, after validating the configuration once: a store role
 * starts the engine; the endpoint registers its routes itself (see {@code DataRoutes}); the monkey
 * role runs the static-member monkey when {@code stored.cluster.members} is set, else the
 * Kubernetes operator.
 */
@ApplicationScoped
public class NodeLifecycle {
  private static final Logger LOG = Logger.getLogger(NodeLifecycle.class);
  static final long MAX_VALUE_SIZE_CEILING = 64L * 1024 * 1024;

  private final NodeConfig node;
  private final RingConfig ring;
  private final ApiConfig api;
  private final StoreNode store;
  private final ClusterConfig clusterConfig;
  private final Cluster cluster;
  private final Instance<Operator> operator;
  private final Instance<KubernetesClient> kubernetes;
  private final Vertx vertx;

  NodeLifecycle(
      NodeConfig node,
      RingConfig ring,
      ApiConfig api,
      StoreNode store,
      ClusterConfig clusterConfig,
      Cluster cluster,
      Instance<Operator> operator,
      Instance<KubernetesClient> kubernetes,
      Vertx vertx) {
    this.node = node;
    this.ring = ring;
    this.api = api;
    this.store = store;
    this.clusterConfig = clusterConfig;
    this.cluster = cluster;
    this.operator = operator;
    this.kubernetes = kubernetes;
    this.vertx = vertx;
  }

  void onStart(@Observes StartupEvent event) {
    validate();
    if (node.roles().contains(Role.STORE)) {
      store.start();
      cluster.startStore(store.engine());
    }
    if (node.roles().contains(Role.ENDPOINT)) {
      cluster.startEndpoint();
    }
    if (node.roles().contains(Role.STORE) || node.roles().contains(Role.ENDPOINT)) {
      cluster.watchRingConfigMap(kubernetes);
    }
    if (node.roles().contains(Role.MONKEY)) {
      if (clusterConfig.clustered()) {
        cluster.startMonkey();
      } else {
        // On Kubernetes the monkey is the StoredCluster operator.
        operator.get().start();
      }
    }
    LOG.infof(
        "stored node %s running roles %s, network transport %s",
        node.memberName(),
        node.roles().isEmpty() ? "[]" : java.util.EnumSet.copyOf(node.roles()),
        transport(vertx));
  }

  /**
   * Netty's epoll transport (its Linux x86-64 and arm64 libraries ship in the app) calls the kernel
   * through JNI rather than through Java's NIO layers; elsewhere Vert.x falls back to NIO, and the
   * log says why.
   */
  static String transport(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) {
      return "epoll";
    }
    Throwable cause = vertx.unavailableNativeTransportCause();
    return cause == null ? "NIO" : "NIO (epoll unavailable: " + cause + ")";
  }

  void onStop(@Observes ShutdownEvent event) {
    cluster.drain();
    if (node.roles().contains(Role.MONKEY) && !clusterConfig.clustered()) {
      operator.get().stop();
    }
    cluster.stop();
    store.stop();
  }

  /** Checks settings that depend on each other; the message names every offending property. */
  void validate() {
    List<String> errors = new ArrayList<>();
    if (node.roles().isEmpty()) {
      errors.add("stored.roles must name at least one of endpoint, store, monkey");
    }
    if (ring.partitions() < 1 || ring.partitions() > 65536) {
      errors.add("stored.ring.partitions (" + ring.partitions() + ") must be between 1 and 65536");
    }
    if (ring.replicationFactor() < 1) {
      errors.add(
          "stored.ring.replication-factor (" + ring.replicationFactor() + ") must be at least 1");
    }
    long maxValue = api.maxValueSize().asLongValue();
    if (maxValue < 0 || maxValue > MAX_VALUE_SIZE_CEILING) {
      errors.add("stored.api.max-value-size (" + maxValue + ") must be between 0 and 64M");
    }
    if (api.maxKeySize() < 1 || api.maxIdSize() < 1) {
      errors.add("stored.api.max-key-size and stored.api.max-id-size must be at least 1");
    }
    if (api.listLimit() < 1 || api.listLimit() > api.maxListLimit()) {
      errors.add(
          "stored.api.list-limit ("
              + api.listLimit()
              + ") must be between 1 and stored.api.max-list-limit ("
              + api.maxListLimit()
              + ")");
    }
    try {
      clusterConfig.memberAddresses();
    } catch (IllegalArgumentException e) {
      errors.add(e.getMessage());
    }
    if (clusterConfig.chunkSize() < 1) {
      errors.add(
          "stored.cluster.chunk-size (" + clusterConfig.chunkSize() + ") must be at least 1");
    }
    if (!errors.isEmpty()) {
      throw new IllegalStateException("invalid configuration: " + String.join("; ", errors));
    }
  }
}
