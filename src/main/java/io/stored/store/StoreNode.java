package io.stored.store;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.stored.engine.EngineSettings;
import io.stored.engine.StoreEngine;
import io.stored.engine.Ticker;
import io.stored.node.NodeConfig;
import io.stored.node.RingConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The store role of this process: the engine, its background expiry sweep and its metrics. Inert
 * until {@link #start()} (called only when the process has the store role).
 */
@ApplicationScoped
public class StoreNode {
  private static final Logger LOG = Logger.getLogger(StoreNode.class);

  private final NodeConfig node;
  private final StoreConfig config;
  private final RingConfig ring;
  private final MeterRegistry registry;
  private volatile StoreEngine engine;
  private ScheduledExecutorService sweeper;

  StoreNode(NodeConfig node, StoreConfig config, RingConfig ring, MeterRegistry registry) {
    this.node = node;
    this.config = config;
    this.ring = ring;
    this.registry = registry;
  }

  /** Creates the engine and starts the sweep. */
  public synchronized void start() {
    if (engine != null) {
      return;
    }
    StoreEngine e =
        new StoreEngine(
            new EngineSettings(ring.partitions(), config.maxMemoryBytes(), config.eviction()),
            Ticker.system());
    bindMetrics(e);
    long every = Math.max(1, config.sweepInterval().toMillis());
    sweeper =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "stored-expiry-sweep");
              t.setDaemon(true);
              return t;
            });
    sweeper.scheduleWithFixedDelay(() -> sweep(e), every, every, TimeUnit.MILLISECONDS);
    engine = e;
    LOG.infof(
        "store %s started: %d partitions, memory limit %d bytes, eviction %s",
        node.memberName(),
        ring.partitions(),
        e.maxMemory(),
        config.eviction().name().toLowerCase());
  }

  public synchronized void stop() {
    if (sweeper != null) {
      sweeper.shutdownNow();
    }
  }

  /** The engine, or null when the store role is not running. */
  public StoreEngine engine() {
    return engine;
  }

  public boolean running() {
    return engine != null;
  }

  private static void sweep(StoreEngine e) {
    try {
      e.sweepExpired();
    } catch (RuntimeException ex) {
      // A failed pass must not cancel the schedule; the next pass retries.
      LOG.error("expiry sweep failed", ex);
    }
  }

  private void bindMetrics(StoreEngine e) {
    Gauge.builder("stored.entries", e, StoreEngine::entries)
        .description("Items held by this store")
        .register(registry);
    Gauge.builder("stored.memory.used", e, StoreEngine::usedMemory)
        .baseUnit("bytes")
        .description("Accounted memory of the items held")
        .register(registry);
    Gauge.builder("stored.memory.max", e, StoreEngine::maxMemory)
        .baseUnit("bytes")
        .description("Memory limit of this store")
        .register(registry);
    Gauge.builder("stored.tombstones", e, StoreEngine::tombstones)
        .description(
            "Deletes this store remembers as a backup (see stored.cluster.tombstone-grace)")
        .register(registry);
    FunctionCounter.builder("stored.evictions", e, StoreEngine::evictions)
        .description("Items evicted to make room (eviction lru)")
        .register(registry);
    FunctionCounter.builder("stored.expirations", e, StoreEngine::expirations)
        .description("Items removed because their ttl passed")
        .register(registry);
  }
}
