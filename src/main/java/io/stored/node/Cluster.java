package io.stored.node;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.tls.CertificateUpdatedEvent;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.stored.engine.StoreEngine;
import io.stored.replication.Message;
import io.stored.replication.ReplicaNode;
import io.stored.replication.Reply;
import io.stored.ring.Member;
import io.stored.ring.Monkey;
import io.stored.router.ClusterClient;
import io.stored.router.Router;
import io.stored.transport.PeerServer;
import io.stored.transport.VertxPeers;
import io.vertx.core.Vertx;
import io.vertx.core.net.SSLOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import java.net.ConnectException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * This process's place in the cluster: how it reaches other nodes (the in-process store by method
 * call, others over the internal transport), its store's side of the protocol, the endpoint's
 * client and, with the monkey role, the monkey. Wiring only; the logic is in {@link ReplicaNode},
 * {@link ClusterClient}, {@link Monkey} and the planner.
 */
@ApplicationScoped
public class Cluster {
  private static final Logger LOG = Logger.getLogger(Cluster.class);
  private static final long RING_REFRESH_MILLIS = 1000;

  /** The TLS registry's configuration for the internal transport; plain TCP when absent. */
  static final String TRANSPORT_TLS = "transport";

  private final NodeConfig node;
  private final ClusterConfig config;
  private final RingConfig ringConfig;
  private final Router router;
  private final Vertx vertx;
  private final Map<String, String> seeds;
  private final SSLOptions transportTls;
  private final VertxPeers remote;
  private final ClusterClient client;
  private volatile ReplicaNode replica;
  private volatile Monkey monkey;
  private PeerServer server;
  private long refreshTimer = -1;
  private long tombstoneTimer = -1;
  private RingWatcher ringWatcher;
  private volatile boolean stopped;

  Cluster(
      NodeConfig node,
      ClusterConfig config,
      RingConfig ringConfig,
      Router router,
      Vertx vertx,
      TlsConfigurationRegistry tlsRegistry) {
    this.node = node;
    this.config = config;
    this.ringConfig = ringConfig;
    this.router = router;
    this.vertx = vertx;
    this.seeds = config.memberAddresses();
    this.transportTls = tlsRegistry.get(TRANSPORT_TLS).map(Cluster::sslOptions).orElse(null);
    this.remote =
        config.clustered()
            ? new VertxPeers(
                vertx, this::addressOf, config.peerTimeout(), config.key(), transportTls)
            : null;
    if (config.clustered() && transportTls == null) {
      LOG.info(
          "the internal transport is plain TCP (no quarkus.tls."
              + TRANSPORT_TLS
              + " configuration): data between nodes is not encrypted");
    }
    if (config.clustered() && config.secret().isEmpty()) {
      LOG.warn(
          "stored.cluster.secret is not set: any process that can reach the internal transport"
              + " port can read and write this cluster's data");
    }
    // A single process never sees its ring change, so retrying would only delay the answer.
    long timeout = config.clustered() ? config.requestTimeout().toMillis() : 0;
    this.client = new ClusterClient(router, this::send, new ArrayList<>(seeds.keySet()), timeout);
  }

  public boolean clustered() {
    return config.clustered();
  }

  public ClusterClient client() {
    return client;
  }

  /** This process's store, or null without the store role. */
  public ReplicaNode replica() {
    return replica;
  }

  /** The monkey, or null without the monkey role. */
  public Monkey monkey() {
    return monkey;
  }

  /** Reaches {@code member}: this process's own store in-process, any other over the transport. */
  public CompletionStage<Reply> send(String member, Message message) {
    ReplicaNode local = replica;
    if (local != null && member.equals(local.name())) {
      return local.handle(message);
    }
    if (remote == null) {
      return CompletableFuture.failedFuture(
          new ConnectException("store " + member + " is not reachable from this process"));
    }
    return remote.send(member, message);
  }

  private String addressOf(String member) {
    Monkey m = monkey;
    if (m != null) {
      String a = m.addressOf(member);
      if (a != null) {
        return a;
      }
    }
    Member inRing = router.ring().member(member);
    return inRing != null ? inRing.address() : seeds.get(member);
  }

  /**
   * Mutual TLS from a TLS registry configuration: this node's certificate (key store), the
   * certificates it accepts from peers (trust store), both required.
   */
  private static SSLOptions sslOptions(TlsConfiguration tls) {
    if (tls.getKeyStoreOptions() == null || tls.getTrustStoreOptions() == null) {
      throw new IllegalStateException(
          "quarkus.tls."
              + TRANSPORT_TLS
              + " needs both a key-store (this node's certificate) and a trust-store (the"
              + " certificate authority of the cluster's nodes): the transport is mutual TLS");
    }
    return new SSLOptions()
        .setKeyCertOptions(tls.getKeyStoreOptions())
        .setTrustOptions(tls.getTrustStoreOptions());
  }

  /** A renewed transport certificate (the registry reloads it): used for new connections. */
  void onCertificateUpdate(@Observes CertificateUpdatedEvent event) {
    if (!TRANSPORT_TLS.equals(event.name()) || transportTls == null) {
      return;
    }
    SSLOptions renewed = sslOptions(event.tlsConfiguration());
    if (server != null) {
      server.updateTls(renewed);
    }
    if (remote != null) {
      remote.updateTls(renewed);
    }
    LOG.info("the internal transport uses the renewed certificate for new connections");
  }

  /** Starts the store's side of the protocol over {@code engine}; listens in cluster mode. */
  void startStore(StoreEngine engine) {
    replica =
        new ReplicaNode(
            node.memberName(),
            new SecureRandom().nextLong() | 1,
            engine,
            router,
            this::send,
            config.chunkSize());
    if (config.clustered()) {
      ReplicaNode r = replica;
      server =
          PeerServer.start(
                  vertx, config.host(), config.port(), config.key(), transportTls, r::handle)
              .toCompletionStage()
              .toCompletableFuture()
              .join();
      LOG.infof(
          "store %s listens for other nodes on %s:%d",
          node.memberName(), config.host(), server.port());
      forgetTombstonesPeriodically(r);
    }
  }

  /**
   * Forgets the tombstones older than {@code tombstone-grace}, twice per grace period (at most once
   * a second), on a worker thread: with many deletes a pass walks many of them.
   */
  private void forgetTombstonesPeriodically(ReplicaNode r) {
    long grace = config.tombstoneGrace().toMillis();
    tombstoneTimer =
        vertx.setPeriodic(
            Math.max(1000, grace / 2),
            t ->
                vertx
                    .executeBlocking(() -> r.forgetTombstones(grace), false)
                    .onFailure(e -> LOG.error("forgetting tombstones failed", e)));
  }

  /** Keeps the endpoint's ring fresh: fetched at once, then every second. */
  void startEndpoint() {
    if (!config.clustered()) {
      return;
    }
    client.refreshRing();
    refreshTimer = vertx.setPeriodic(RING_REFRESH_MILLIS, t -> client.refreshRing());
  }

  /**
   * On Kubernetes, watches the ring ConfigMap: an endpoint takes each newer ring, a store that
   * already has a ring adopts it.
   */
  void watchRingConfigMap(Instance<KubernetesClient> kubernetes) {
    if (!config.clustered() || config.ringConfigMap().isEmpty()) {
      return;
    }
    KubernetesClient k8s = kubernetes.get();
    String namespace = k8s.getNamespace();
    ringWatcher =
        new RingWatcher(
            k8s,
            namespace,
            config.ringConfigMap().get(),
            ring -> {
              ReplicaNode r = replica;
              if (ring.partitions() != ringConfig.partitions()) {
                LOG.warnf("ignoring a ring of %d partitions", ring.partitions());
              } else if (r != null) {
                r.adopt(ring);
              } else {
                router.update(ring);
              }
            });
    LOG.infof("watching ring ConfigMap %s/%s", namespace, config.ringConfigMap().get());
  }

  /** Runs the monkey: one round, then the next {@code monkey-interval} after it ends. */
  void startMonkey() {
    Monkey m =
        new Monkey(
            this::send,
            ringConfig.partitions(),
            ringConfig.replicationFactor(),
            config.downAfter().toMillis(),
            System::nanoTime);
    seeds.forEach(m::add);
    monkey = m;
    LOG.infof("monkey manages stores %s", seeds.keySet());
    round(m, config.monkeyInterval());
  }

  private void round(Monkey m, Duration every) {
    if (stopped) {
      return;
    }
    m.tick()
        .whenComplete(
            (ring, failure) -> {
              if (failure != null) {
                LOG.error("monkey round failed", failure);
              }
              CompletableFuture.delayedExecutor(every.toMillis(), TimeUnit.MILLISECONDS)
                  .execute(() -> round(m, every));
            });
  }

  /**
   * A stopping store hands its partitions over first: it tells the monkey it is draining and waits
   * until the ring gives it nothing, for at most {@code drain-timeout}, and not at all when no
   * monkey has asked for its status lately (nobody would take its partitions).
   */
  void drain() {
    ReplicaNode r = replica;
    if (r == null || !config.clustered() || r.drained()) {
      return;
    }
    r.startDraining();
    long deadline = System.nanoTime() + config.drainTimeout().toNanos();
    long monkeyGone = Math.max(2_000_000_000L, 10 * config.monkeyInterval().toNanos());
    LOG.infof("store %s is stopping: handing its partitions over first", r.name());
    while (!r.drained() && System.nanoTime() < deadline && r.sinceMonkeyAsked() < monkeyGone) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    LOG.infof(
        "store %s %s",
        r.name(),
        r.drained() ? "handed its partitions over" : "stops without handing everything over");
  }

  void stop() {
    stopped = true;
    if (ringWatcher != null) {
      ringWatcher.close();
    }
    if (refreshTimer >= 0) {
      vertx.cancelTimer(refreshTimer);
    }
    if (tombstoneTimer >= 0) {
      vertx.cancelTimer(tombstoneTimer);
    }
    if (server != null) {
      server.close();
    }
    if (remote != null) {
      remote.close();
    }
  }
}
