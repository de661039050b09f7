package io.stored.operator;

import io.stored.replication.Peers;
import io.stored.ring.Monkey;
import io.stored.ring.Ring;
import io.stored.transport.ClusterKey;
import io.vertx.core.net.SSLOptions;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * One {@link Monkey} per StoredCluster, each running its rounds (status of every store, plan,
 * publish) until its cluster is deleted. The reconciler tells a monkey which pods should be stores;
 * the monkey does the rest over the internal transport, exactly as the static-member monkey does,
 * and reports every new ring to {@code onRing}.
 */
public final class ClusterMonkeys implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ClusterMonkeys.class);

  /**
   * The transport of one cluster's monkey, given how to find a store's address, the cluster's key
   * and its transport TLS (null: plain TCP).
   */
  public interface PeersFactory {
    Peers create(Function<String, String> addressOf, ClusterKey key, SSLOptions tls);
  }

  private final PeersFactory peers;
  private final Duration interval;
  private final Duration downAfter;
  private final BiConsumer<String, Ring> onRing;
  private final Map<String, Loop> loops = new ConcurrentHashMap<>();

  /**
   * @param onRing called with the cluster's key ({@code namespace/name}) and each new ring
   */
  public ClusterMonkeys(
      PeersFactory peers, Duration interval, Duration downAfter, BiConsumer<String, Ring> onRing) {
    this.peers = peers;
    this.interval = interval;
    this.downAfter = downAfter;
    this.onRing = onRing;
  }

  /**
   * The monkey of cluster {@code key}, started on first use; it proves {@code clusterKey} to the
   * stores, over mutual TLS with {@code tls} (null: plain TCP).
   */
  public Monkey of(
      String key, int partitions, int replicationFactor, ClusterKey clusterKey, SSLOptions tls) {
    return loops.computeIfAbsent(key, k -> start(k, partitions, replicationFactor, clusterKey, tls))
        .monkey;
  }

  /** The monkey of cluster {@code key}, or null when none runs. */
  public Monkey existing(String key) {
    Loop l = loops.get(key);
    return l == null ? null : l.monkey;
  }

  /** Stops the monkey of a deleted cluster. */
  public void stop(String key) {
    Loop l = loops.remove(key);
    if (l != null) {
      l.stopped = true;
    }
  }

  @Override
  public void close() {
    loops.keySet().forEach(this::stop);
  }

  private Loop start(
      String key, int partitions, int replicationFactor, ClusterKey clusterKey, SSLOptions tls) {
    Monkey[] holder = new Monkey[1];
    Peers p = peers.create(name -> holder[0].addressOf(name), clusterKey, tls);
    Monkey m = new Monkey(p, partitions, replicationFactor, downAfter.toMillis(), System::nanoTime);
    holder[0] = m;
    Loop loop = new Loop(key, m);
    LOG.infof("monkey for StoredCluster %s started", key);
    round(loop);
    return loop;
  }

  private void round(Loop loop) {
    if (loop.stopped) {
      return;
    }
    loop.monkey
        .tick()
        .whenComplete(
            (ring, failure) -> {
              if (failure != null) {
                LOG.errorf(failure, "monkey round of %s failed", loop.key);
              } else if (ring != null && ring.epoch() != loop.published) {
                loop.published = ring.epoch();
                try {
                  onRing.accept(loop.key, ring);
                } catch (RuntimeException e) {
                  LOG.errorf(e, "publishing ring epoch %d of %s failed", ring.epoch(), loop.key);
                  loop.published = -1;
                }
              }
              CompletableFuture.delayedExecutor(interval.toMillis(), TimeUnit.MILLISECONDS)
                  .execute(() -> round(loop));
            });
  }

  private static final class Loop {
    final String key;
    final Monkey monkey;
    volatile boolean stopped;
    volatile long published = -1;

    Loop(String key, Monkey monkey) {
      this.key = key;
      this.monkey = monkey;
    }
  }
}
