package io.stored.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jboss.logging.Logger;

/**
 * The StoreMonkey's Kubernetes side: makes the objects of a {@link StoredCluster} match its spec
 * and reports what it sees in the status. Idempotent: an object is written only when what it should
 * be changed (a hash of the desired object is kept in an annotation), and the status is patched
 * only when it changed.
 */
@ControllerConfiguration(name = StoredClusterReconciler.NAME)
public class StoredClusterReconciler implements Reconciler<StoredCluster> {
  public static final String NAME = "storedcluster";
  static final String HASH = "stored.io/desired-hash";
  private static final Logger LOG = Logger.getLogger(StoredClusterReconciler.class);
  private static final Duration RESYNC = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final java.util.concurrent.atomic.AtomicLong reconciliations =
      new java.util.concurrent.atomic.AtomicLong();

  public StoredClusterReconciler(KubernetesClient client) {
    this.client = client;
  }

  @Override
  public List<EventSource<?, StoredCluster>> prepareEventSources(
      EventSourceContext<StoredCluster> context) {
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(StatefulSet.class, StoredCluster.class).build(),
            context),
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Deployment.class, StoredCluster.class).build(),
            context));
  }

  /** Reconciliations finished so far (for tests and metrics). */
  long reconciliations() {
    return reconciliations.get();
  }

  @Override
  public UpdateControl<StoredCluster> reconcile(StoredCluster cluster, Context<StoredCluster> ctx) {
    try {
      return reconcileOnce(cluster);
    } finally {
      reconciliations.incrementAndGet();
    }
  }

  private UpdateControl<StoredCluster> reconcileOnce(StoredCluster cluster) {
    ClusterResources resources = new ClusterResources(cluster);
    StatefulSet stores = get(StatefulSet.class, cluster, resources.storeName());
    List<String> errors = SpecValidation.errors(cluster.getSpec(), partitionsOf(stores));
    StoredClusterStatus status = new StoredClusterStatus();
    StoredClusterStatus old =
        cluster.getStatus() == null ? new StoredClusterStatus() : cluster.getStatus();
    Long gen = cluster.getMetadata().getGeneration();
    status.setObservedGeneration(gen);
    status.setSelector(resources.storeSelectorString());
    status.setRingEpoch(old.getRingEpoch());
    status.setMembers(old.getMembers());
    List<Condition> conditions = new ArrayList<>();
    if (!errors.isEmpty()) {
      LOG.warnf("StoredCluster %s is invalid: %s", name(cluster), errors);
      status.setPhase("Invalid");
      conditions.add(
          condition(old, gen, "Invalid", true, "SpecRejected", String.join("; ", errors)));
      conditions.add(condition(old, gen, "Ready", false, "Invalid", "the spec is invalid"));
      status.setReadyStores(stores == null ? 0 : readyReplicas(stores));
    } else {
      for (HasMetadata desired : resources.all()) {
        apply(desired);
      }
      stores = get(StatefulSet.class, cluster, resources.storeName());
      Deployment endpoints = get(Deployment.class, cluster, resources.endpointName());
      int wanted = cluster.getSpec().getStores().getReplicas();
      int ready = stores == null ? 0 : readyReplicas(stores);
      int current =
          stores == null || stores.getStatus() == null || stores.getStatus().getReplicas() == null
              ? 0
              : stores.getStatus().getReplicas();
      int endpointsReady =
          endpoints == null
                  || endpoints.getStatus() == null
                  || endpoints.getStatus().getReadyReplicas() == null
              ? 0
              : endpoints.getStatus().getReadyReplicas();
      status.setReadyStores(ready);
      boolean scaling = current != wanted;
      boolean allReady = ready == wanted && endpointsReady > 0;
      // Until the cluster was ready once it is Pending; after that, not ready is Scaling while
      // the store count changes and Degraded otherwise.
      boolean wasReady = old.getPhase() != null && !"Pending".equals(old.getPhase());
      boolean degraded = !allReady && !scaling && wasReady;
      status.setPhase(
          allReady ? "Ready" : !wasReady ? "Pending" : scaling ? "Scaling" : "Degraded");
      conditions.add(
          condition(
              old,
              gen,
              "Ready",
              allReady,
              allReady ? "AllReady" : "NotReady",
              ready + " of " + wanted + " stores and " + endpointsReady + " endpoints ready"));
      conditions.add(
          condition(
              old,
              gen,
              "Scaling",
              scaling,
              scaling ? "ReplicasChanging" : "Stable",
              current + " store pods, " + wanted + " wanted"));
      conditions.add(condition(old, gen, "Rebalancing", false, "Stable", "no partition is moving"));
      conditions.add(
          condition(
              old,
              gen,
              "Degraded",
              degraded,
              degraded ? "StoreNotReady" : "AllStoresReady",
              degraded ? (wanted - ready) + " stores not ready" : "every store is ready"));
      conditions.add(condition(old, gen, "Invalid", false, "SpecAccepted", "the spec is valid"));
    }
    status.setConditions(conditions);
    if (status.equals(cluster.getStatus())) {
      return UpdateControl.<StoredCluster>noUpdate().rescheduleAfter(RESYNC);
    }
    cluster.setStatus(status);
    return UpdateControl.patchStatus(cluster).rescheduleAfter(RESYNC);
  }

  @Override
  public ErrorStatusUpdateControl<StoredCluster> updateErrorStatus(
      StoredCluster cluster, Context<StoredCluster> context, Exception e) {
    LOG.errorf(e, "reconciling StoredCluster %s failed", name(cluster));
    StoredClusterStatus status =
        cluster.getStatus() == null ? new StoredClusterStatus() : cluster.getStatus();
    List<Condition> conditions = new ArrayList<>(status.getConditions());
    conditions.removeIf(c -> "Ready".equals(c.getType()));
    conditions.add(
        condition(status, "Ready", false, "ReconcileError", String.valueOf(e.getMessage())));
    status.setConditions(conditions);
    cluster.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(cluster);
  }

  /** Creates {@code desired}, or replaces what is there when the desired object changed. */
  private void apply(HasMetadata desired) {
    String hash = Integer.toHexString(Serialization.asJson(desired).hashCode());
    desired.getMetadata().setAnnotations(Map.of(HASH, hash));
    HasMetadata current = client.resource(desired).get();
    if (current == null) {
      client.resource(desired).create();
      LOG.infof("created %s %s", desired.getKind(), desired.getMetadata().getName());
    } else if (current.getMetadata().getAnnotations() == null
        || !hash.equals(current.getMetadata().getAnnotations().get(HASH))) {
      desired.getMetadata().setResourceVersion(current.getMetadata().getResourceVersion());
      client.resource(desired).update();
      LOG.infof("updated %s %s", desired.getKind(), desired.getMetadata().getName());
    }
  }

  private <T extends HasMetadata> T get(Class<T> type, StoredCluster cluster, String name) {
    return client
        .resources(type)
        .inNamespace(cluster.getMetadata().getNamespace())
        .withName(name)
        .get();
  }

  /** The partition count the store pods were created with, or null before they exist. */
  static Integer partitionsOf(StatefulSet stores) {
    if (stores == null) {
      return null;
    }
    for (EnvVar e : stores.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv()) {
      if ("STORED_RING_PARTITIONS".equals(e.getName()) && e.getValue() != null) {
        return Integer.valueOf(e.getValue());
      }
    }
    return null;
  }

  private static int readyReplicas(StatefulSet s) {
    return s.getStatus() == null || s.getStatus().getReadyReplicas() == null
        ? 0
        : s.getStatus().getReadyReplicas();
  }

  /**
   * A condition; its transition time is kept from the previous status unless its status flipped.
   */
  static Condition condition(
      StoredClusterStatus old, String type, boolean on, String reason, String message) {
    return condition(old, old.getObservedGeneration(), type, on, reason, message);
  }

  static Condition condition(
      StoredClusterStatus old,
      Long generation,
      String type,
      boolean on,
      String reason,
      String message) {
    String status = on ? "True" : "False";
    String since =
        old.getConditions().stream()
            .filter(c -> type.equals(c.getType()) && status.equals(c.getStatus()))
            .map(Condition::getLastTransitionTime)
            .filter(Objects::nonNull)
            .findFirst()
            .orElse(
                ZonedDateTime.now(ZoneOffset.UTC)
                    .withNano(0)
                    .format(DateTimeFormatter.ISO_INSTANT));
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withLastTransitionTime(since)
        .withObservedGeneration(generation)
        .build();
  }

  private static String name(StoredCluster c) {
    return c.getMetadata().getNamespace() + "/" + c.getMetadata().getName();
  }
}
