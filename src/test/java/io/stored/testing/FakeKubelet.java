package io.stored.testing;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.apps.StatefulSetStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.stored.engine.EngineSettings;
import io.stored.engine.Eviction;
import io.stored.engine.StoreEngine;
import io.stored.engine.Ticker;
import io.stored.replication.ReplicaNode;
import io.stored.ring.Member;
import io.stored.ring.Ring;
import io.stored.router.Router;
import io.stored.transport.ClusterKey;
import io.stored.transport.PeerServer;
import io.stored.transport.VertxPeers;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * A test stand-in for the kubelet and the workload controllers of one namespace: turns each store
 * StatefulSet's pods into real store nodes on loopback (an engine, the store's protocol and its
 * internal transport, pod {@code i} on {@code 127.0.0.(20+i):7000}), reports their IPs and
 * readiness (in the ring and in sync) into the API server, and removes pods above the StatefulSet's
 * replicas. Endpoint Deployments are reported ready (the test's client plays the endpoint).
 */
public final class FakeKubelet implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(FakeKubelet.class);
  public static final int TRANSPORT_PORT = 7000;

  private final KubernetesClient client;
  private final String namespace;
  private final Vertx vertx;
  private final int partitions;
  private final Map<String, Node> nodes = new ConcurrentHashMap<>();
  private final ScheduledExecutorService loop = Executors.newSingleThreadScheduledExecutor();

  private record Node(ReplicaNode replica, PeerServer server, VertxPeers peers) {}

  public FakeKubelet(KubernetesClient client, String namespace, Vertx vertx, int partitions) {
    this.client = client;
    this.namespace = namespace;
    this.vertx = vertx;
    this.partitions = partitions;
    loop.scheduleWithFixedDelay(this::syncSafely, 0, 100, TimeUnit.MILLISECONDS);
  }

  /** The loopback address of store pod {@code ordinal}. */
  public static String ipOf(int ordinal) {
    return "127.0.0." + (20 + ordinal);
  }

  /**
   * How a node finds a store pod: by its ring's address, else (a seed it has no ring for yet) at
   * the loopback address the kubelet gives that ordinal.
   */
  public static java.util.function.Function<String, String> addresses(Router router) {
    return member -> {
      Member m = router.ring().member(member);
      return m != null ? m.address() : ipOf(ordinalOf(member)) + ":" + TRANSPORT_PORT;
    };
  }

  /** The store node running as pod {@code name}, or null. */
  public ReplicaNode node(String name) {
    Node n = nodes.get(name);
    return n == null ? null : n.replica();
  }

  /**
   * The pod's process dies with its memory (kill -9); the StatefulSet controller creates the pod
   * again and it starts empty, with a new incarnation.
   */
  public void kill(String pod) {
    Node n = nodes.remove(pod);
    if (n != null) {
      stop(n);
    }
    client.pods().inNamespace(namespace).withName(pod).delete();
  }

  @Override
  public void close() throws InterruptedException {
    loop.shutdownNow();
    loop.awaitTermination(10, TimeUnit.SECONDS);
    nodes.values().forEach(FakeKubelet::stop);
    nodes.clear();
  }

  private void syncSafely() {
    try {
      sync();
    } catch (RuntimeException e) {
      LOG.debugf("kubelet sync: %s", e.toString());
    }
  }

  private void sync() {
    for (StatefulSet sts : client.apps().statefulSets().inNamespace(namespace).list().getItems()) {
      String base = sts.getMetadata().getName();
      int replicas = sts.getSpec().getReplicas();
      int ready = 0;
      int running = 0;
      for (Pod pod : client.pods().inNamespace(namespace).list().getItems()) {
        String name = pod.getMetadata().getName();
        int ordinal = ordinal(base, name);
        if (ordinal >= replicas) {
          Node n = nodes.remove(name);
          if (n != null) {
            stop(n);
          }
          client.resource(pod).delete();
        }
      }
      for (int i = 0; i < replicas; i++) {
        String name = base + "-" + i;
        Node n = nodes.computeIfAbsent(name, p -> start(p, maxMemory(sts), clusterKey(sts)));
        running++;
        boolean inSync = n.replica().inSync();
        ready += inSync ? 1 : 0;
        report(sts, name, ipOf(ordinalOf(name)), inSync);
      }
      if (!Objects.equals(
              sts.getStatus() == null ? null : sts.getStatus().getReadyReplicas(), ready)
          || !Objects.equals(
              sts.getStatus() == null ? null : sts.getStatus().getReplicas(), running)) {
        sts.setStatus(
            new StatefulSetStatusBuilder().withReplicas(running).withReadyReplicas(ready).build());
        client.resource(sts).updateStatus();
      }
    }
    for (Deployment d : client.apps().deployments().inNamespace(namespace).list().getItems()) {
      int wanted = d.getSpec().getReplicas();
      if (d.getStatus() == null || !Objects.equals(d.getStatus().getReadyReplicas(), wanted)) {
        d.setStatus(
            new DeploymentStatusBuilder().withReplicas(wanted).withReadyReplicas(wanted).build());
        client.resource(d).updateStatus();
      }
    }
  }

  private void report(StatefulSet sts, String name, String ip, boolean ready) {
    Pod pod = client.pods().inNamespace(namespace).withName(name).get();
    String status = ready ? "True" : "False";
    if (pod != null
        && pod.getStatus() != null
        && ip.equals(pod.getStatus().getPodIP())
        && pod.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Ready") && c.getStatus().equals(status))) {
      return;
    }
    Pod desired =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(namespace)
            .withLabels(sts.getSpec().getTemplate().getMetadata().getLabels())
            .endMetadata()
            .withNewStatus()
            .withPhase("Running")
            .withPodIP(ip)
            .addNewCondition()
            .withType("Ready")
            .withStatus(status)
            .endCondition()
            .endStatus()
            .build();
    if (pod == null) {
      client.resource(desired).create();
    } else {
      pod.setStatus(desired.getStatus());
      client.resource(pod).updateStatus();
    }
  }

  /** The memory limit the operator gives the store container (its STORED_STORE_MAX_MEMORY). */
  private static long maxMemory(StatefulSet sts) {
    return sts.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("STORED_STORE_MAX_MEMORY"))
        .map(e -> Long.parseLong(e.getValue()))
        .findFirst()
        .orElse(256L << 20);
  }

  /**
   * The cluster key a pod of {@code sts} gets: its STORED_CLUSTER_SECRET, read from the Secret the
   * env var refers to, as the kubelet would.
   */
  private ClusterKey clusterKey(StatefulSet sts) {
    SecretKeySelector ref =
        sts.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
            .filter(e -> e.getName().equals("STORED_CLUSTER_SECRET"))
            .map(e -> e.getValueFrom().getSecretKeyRef())
            .findFirst()
            .orElseThrow(() -> new AssertionError("store pods get no STORED_CLUSTER_SECRET"));
    return clusterKey(client, namespace, ref.getName(), ref.getKey());
  }

  /** The key held by a transport Secret. */
  public static ClusterKey clusterKey(
      KubernetesClient client, String namespace, String secret, String key) {
    Secret s = client.secrets().inNamespace(namespace).withName(secret).get();
    return ClusterKey.of(
        new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.UTF_8));
  }

  private Node start(String pod, long maxMemory, ClusterKey key) {
    StoreEngine engine =
        new StoreEngine(new EngineSettings(partitions, maxMemory, Eviction.NONE), Ticker.system());
    Router router = new Router(Ring.empty(partitions));
    VertxPeers peers = new VertxPeers(vertx, addresses(router), Duration.ofSeconds(1), key);
    ReplicaNode replica =
        new ReplicaNode(pod, new SecureRandom().nextLong() | 1, engine, router, peers::send, 100);
    PeerServer server =
        PeerServer.start(vertx, ipOf(ordinalOf(pod)), TRANSPORT_PORT, key, replica::handle)
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    LOG.infof("kubelet started store %s on %s:%d", pod, ipOf(ordinalOf(pod)), TRANSPORT_PORT);
    return new Node(replica, server, peers);
  }

  private static void stop(Node n) {
    n.server().close().toCompletionStage().toCompletableFuture().join();
    n.peers().close();
  }

  /** The ordinal of a StatefulSet pod name ({@code name-3} is 3). */
  public static int ordinalOf(String pod) {
    return Integer.parseInt(pod.substring(pod.lastIndexOf('-') + 1));
  }

  private static int ordinal(String base, String pod) {
    if (!pod.startsWith(base + "-")) {
      return -1;
    }
    try {
      return Integer.parseInt(pod.substring(base.length() + 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
