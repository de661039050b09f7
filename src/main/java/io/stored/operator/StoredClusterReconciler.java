package io.stored.operator;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.stored.ring.Member;
import io.stored.ring.MemberState;
import io.stored.ring.Monkey;
import io.stored.ring.Ring;
import io.stored.transport.ClusterKey;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.core.net.SSLOptions;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * The StoreMonkey's Kubernetes side: makes the objects of a {@link StoredCluster} match its spec
 * and reports what it sees in the status. Idempotent: an object is written only when what it should
 * be changed (a hash of the desired object is kept in an annotation), and the status is patched
 * only when it changed.
 */
@ControllerConfiguration(name = StoredClusterReconciler.NAME)
public class StoredClusterReconciler implements Reconciler<StoredCluster>, Cleaner<StoredCluster> {
  public static final String NAME = "storedcluster";
  static final String HASH = "stored.io/desired-hash";
  private static final Logger LOG = Logger.getLogger(StoredClusterReconciler.class);
  private static final Duration RESYNC = Duration.ofSeconds(30);
  private static final Duration AUTOSCALE_RESYNC = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final ClusterMonkeys monkeys;

  /** Per cluster: since when its stores' memory use has been low enough to remove one. */
  private final Map<String, Long> lowSince = new java.util.concurrent.ConcurrentHashMap<>();

  private final AtomicLong reconciliations = new java.util.concurrent.atomic.AtomicLong();

  public StoredClusterReconciler(KubernetesClient client, ClusterMonkeys monkeys) {
    this.client = client;
    this.monkeys = monkeys;
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
            context),
        // the monkey writes each new ring into the ring ConfigMap: the status follows
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(ConfigMap.class, StoredCluster.class).build(),
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
      Monkey monkey = monkeys.existing(key(cluster));
      if (monkey == null) {
        // the transport's credentials are read once, when the cluster's monkey starts
        monkey =
            monkeys.of(
                key(cluster),
                cluster.getSpec().getPartitions(),
                cluster.getSpec().getReplicationFactor(),
                transportKey(resources),
                transportTls(cluster));
      }
      // the store pods, listed once per reconcile for membership and the members' readiness
      List<Pod> pods =
          client
              .pods()
              .inNamespace(cluster.getMetadata().getNamespace())
              .withLabels(resources.selector("store"))
              .list()
              .getItems();
      int storePods = membership(cluster, resources, monkey, pods);
      resources = new ClusterResources(cluster, storePods);
      for (HasMetadata off : resources.unwanted()) {
        HasMetadata existing = client.resource(off).get();
        // only what this cluster made: an object of the user's with the same name stays
        if (existing != null
            && existing.getMetadata().getOwnerReferences().stream()
                .anyMatch(r -> r.getUid().equals(cluster.getMetadata().getUid()))) {
          client.resource(existing).delete();
        }
      }
      for (HasMetadata desired : resources.all()) {
        apply(desired);
      }
      stores = get(StatefulSet.class, cluster, resources.storeName());
      Deployment endpoints = get(Deployment.class, cluster, resources.endpointName());
      int wanted = cluster.getSpec().getStores().getReplicas();
      int ready = stores == null ? 0 : readyReplicas(stores);
      int current =
          stores == null || stores.getStatus() == null
              ? 0
              : orZero(stores.getStatus().getReplicas());
      int endpointsReady =
          endpoints == null || endpoints.getStatus() == null
              ? 0
              : orZero(endpoints.getStatus().getReadyReplicas());
      status.setReadyStores(ready);
      Ring ring = monkey.ring();
      status.setRingEpoch(ring == null ? 0 : ring.epoch());
      status.setMembers(members(ring, pods));
      boolean moving = ring != null && ring.moving();
      boolean handingOff = resources.storePodCount() != wanted;
      boolean scaling = current != wanted || handingOff;
      long down =
          ring == null
              ? 0
              : ring.members().stream().filter(m -> m.state() == MemberState.DOWN).count();
      boolean allReady = ready >= wanted && endpointsReady > 0 && down == 0;
      // Until the cluster was ready once it is Pending. After that: Scaling while the store
      // count changes, Rebalancing while partitions move, Degraded when a store is down or
      // not ready, else Ready.
      boolean wasReady = old.getPhase() != null && !"Pending".equals(old.getPhase());
      boolean degraded = wasReady && !scaling && (down > 0 || ready < wanted);
      status.setPhase(
          !wasReady && !allReady
              ? "Pending"
              : scaling ? "Scaling" : degraded ? "Degraded" : moving ? "Rebalancing" : "Ready");
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
      conditions.add(
          condition(
              old,
              gen,
              "Rebalancing",
              moving || handingOff,
              moving ? "PartitionsMoving" : handingOff ? "HandingOff" : "Stable",
              moving
                  ? "partitions are being transferred (ring epoch " + ring.epoch() + ")"
                  : handingOff
                      ? "stores above " + wanted + " are handing their partitions over"
                      : "no partition is moving"));
      conditions.add(
          condition(
              old,
              gen,
              "Degraded",
              degraded,
              degraded ? (down > 0 ? "StoreDown" : "StoreNotReady") : "AllStoresReady",
              degraded
                  ? (down > 0
                      ? down + " stores down (their backups serve their partitions)"
                      : (wanted - ready) + " stores not ready")
                  : "every store is ready"));
      conditions.add(condition(old, gen, "Invalid", false, "SpecAccepted", "the spec is valid"));
    }
    if (errors.isEmpty() && cluster.getSpec().getAutoscaling().isEnabled()) {
      autoscale(cluster, status);
    }
    status.setConditions(conditions);
    // Memory use changes without any event, so an autoscaled cluster is looked at more often.
    Duration next = cluster.getSpec().getAutoscaling().isEnabled() ? AUTOSCALE_RESYNC : RESYNC;
    if (status.equals(cluster.getStatus())) {
      return UpdateControl.<StoredCluster>noUpdate().rescheduleAfter(next);
    }
    cluster.setStatus(status);
    return UpdateControl.patchStatus(cluster).rescheduleAfter(next);
  }

  /** The cluster is being deleted: its owned objects go by garbage collection; stop its monkey. */
  @Override
  public DeleteControl cleanup(StoredCluster cluster, Context<StoredCluster> context) {
    monkeys.stop(key(cluster));
    return DeleteControl.defaultDelete();
  }

  @Override
  public ErrorStatusUpdateControl<StoredCluster> updateErrorStatus(
      StoredCluster cluster, Context<StoredCluster> context, Exception e) {
    if (interrupted(e)) {
      // The operator is stopping (a restart, a rolling update) and interrupted this pass: the
      // cluster is as fine as before, and the next operator reconciles it again.
      LOG.debugf("reconciling StoredCluster %s was interrupted: %s", name(cluster), e);
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
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

  private static boolean interrupted(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof InterruptedException || t instanceof java.io.InterruptedIOException) {
        return true;
      }
    }
    return false;
  }

  /**
   * Tells the cluster's monkey which pods are its stores: every store pod below the wanted count
   * that has an address joins (or stays); those at or above it leave, handing their partitions
   * over. Returns how many store pods the StatefulSet keeps: the wanted count, or more while a
   * higher ordinal is still in the ring (it is removed only once it owns nothing).
   */
  private static int membership(
      StoredCluster cluster, ClusterResources resources, Monkey monkey, List<Pod> pods) {
    int wanted = cluster.getSpec().getStores().getReplicas();
    for (Pod pod : pods) {
      String name = pod.getMetadata().getName();
      int ordinal = resources.ordinalOf(name);
      if (ordinal < 0) {
        continue;
      }
      String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
      if (ordinal >= wanted) {
        monkey.remove(name);
      } else if (ip != null && !ip.isEmpty() && pod.getMetadata().getDeletionTimestamp() == null) {
        monkey.add(name, ip + ":" + ClusterResources.TRANSPORT_PORT);
      }
    }
    int keep = wanted;
    Ring ring = monkey.ring();
    if (ring != null) {
      for (Member m : ring.members()) {
        int ordinal = resources.ordinalOf(m.name());
        if (ordinal >= wanted) {
          monkey.remove(m.name());
          keep = Math.max(keep, ordinal + 1);
        }
      }
    }
    return keep;
  }

  private static List<StoredClusterStatus.Member> members(Ring ring, List<Pod> pods) {
    List<StoredClusterStatus.Member> out = new ArrayList<>();
    if (ring == null) {
      return out;
    }
    Map<String, Pod> byName = new java.util.HashMap<>();
    pods.forEach(p -> byName.put(p.getMetadata().getName(), p));
    for (Member m : ring.members()) {
      Pod pod = byName.get(m.name());
      boolean ready =
          pod != null
              && pod.getStatus() != null
              && pod.getStatus().getConditions() != null
              && pod.getStatus().getConditions().stream()
                  .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
      out.add(
          new StoredClusterStatus.Member(
              m.name(), m.state().name().toLowerCase(), ring.ownedBy(m.name()), ready));
    }
    return out;
  }

  /**
   * With autoscaling on and the cluster settled (Ready), asks for one store more or fewer as the
   * {@link Autoscaler} decides from the stores' reported memory use, by writing {@code
   * spec.stores.replicas} (as an HPA would through the scale subresource).
   */
  private void autoscale(StoredCluster cluster, StoredClusterStatus status) {
    String key = key(cluster);
    Monkey monkey = monkeys.existing(key);
    if (monkey == null || !"Ready".equals(status.getPhase())) {
      lowSince.remove(key);
      return;
    }
    long used = 0;
    long capacity = 0;
    for (Monkey.StoreView v : monkey.stores()) {
      if (v.alive() && "active".equals(v.state())) {
        used += v.usedMemory();
        capacity += v.maxMemory();
      }
    }
    StoredClusterSpec.Autoscaling a = cluster.getSpec().getAutoscaling();
    int current = cluster.getSpec().getStores().getReplicas();
    long now = System.currentTimeMillis();
    if (Autoscaler.lowEnoughToRemoveOne(current, a.getTargetMemoryUtilization(), used, capacity)) {
      lowSince.putIfAbsent(key, now);
    } else {
      lowSince.remove(key);
    }
    int wanted =
        Autoscaler.decide(
            current,
            a.getMinStores(),
            a.getMaxStores(),
            a.getTargetMemoryUtilization(),
            used,
            capacity,
            lowSince.getOrDefault(key, -1L),
            now);
    if (wanted != current) {
      LOG.infof(
          "autoscaling %s from %d to %d stores (memory use %d of %d bytes, target %d%%)",
          key, current, wanted, used, capacity, a.getTargetMemoryUtilization());
      lowSince.remove(key);
      client
          .resources(StoredCluster.class)
          .inNamespace(cluster.getMetadata().getNamespace())
          .withName(cluster.getMetadata().getName())
          .patch(
              PatchContext.of(PatchType.JSON_MERGE),
              "{\"spec\":{\"stores\":{\"replicas\":" + wanted + "}}}");
    }
  }

  static String key(StoredCluster c) {
    return c.getMetadata().getNamespace() + "/" + c.getMetadata().getName();
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

  private static int orZero(Integer n) {
    return n == null ? 0 : n;
  }

  private static int readyReplicas(StatefulSet s) {
    return s.getStatus() == null ? 0 : orZero(s.getStatus().getReadyReplicas());
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

  /**
   * The operator's side of the cluster's transport TLS, from the Secret the pods mount
   * (spec.tls.transportSecretName), or null for plain TCP.
   */
  private SSLOptions transportTls(StoredCluster cluster) {
    String name = cluster.getSpec().getTls().getTransportSecretName();
    if (name == null) {
      return null;
    }
    Secret secret =
        client.secrets().inNamespace(cluster.getMetadata().getNamespace()).withName(name).get();
    if (secret == null) {
      throw new IllegalStateException(
          "Secret " + name + " (spec.tls.transportSecretName) does not exist yet");
    }
    Buffer cert = Buffer.buffer(value(secret, "tls.crt"));
    Buffer key = Buffer.buffer(value(secret, "tls.key"));
    Buffer ca = Buffer.buffer(value(secret, "ca.crt"));
    return new SSLOptions()
        .setKeyCertOptions(new PemKeyCertOptions().setCertValue(cert).setKeyValue(key))
        .setTrustOptions(new PemTrustOptions().addCertValue(ca));
  }

  /**
   * The cluster's internal-transport key, from its Secret; a new random one the first time. The
   * Secret is only ever created, never rewritten (the running pods hold its value).
   */
  private ClusterKey transportKey(ClusterResources resources) {
    Resource<Secret> ref =
        client
            .secrets()
            .inNamespace(resources.namespace())
            .withName(resources.transportSecretName());
    Secret secret = ref.get();
    if (secret == null) {
      secret = ref.create(resources.transportSecret(ClusterKey.randomSecret()));
      LOG.infof("created the transport secret %s", resources.transportSecretName());
    }
    return ClusterKey.of(
        new String(value(secret, ClusterResources.TRANSPORT_SECRET_KEY), StandardCharsets.UTF_8));
  }

  /** The decoded value of {@code key} in {@code secret}. */
  private static byte[] value(Secret secret, String key) {
    String encoded = secret.getData() == null ? null : secret.getData().get(key);
    if (encoded == null) {
      throw new IllegalStateException(
          "Secret " + secret.getMetadata().getName() + " has no key '" + key + "'");
    }
    return Base64.getDecoder().decode(encoded);
  }
}
