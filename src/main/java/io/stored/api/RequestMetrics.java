package io.stored.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code stored.requests}: a latency histogram per data-API operation and status (buckets from 5 us
 * to 10 s). Timers are built once per (operation, status) and cached, so recording is an array read
 * and an add. Also {@code stored.http.connections}, the connections open on each event loop of the
 * HTTP port, and {@code stored.http.connections.moved}, those asked to reconnect to another loop.
 */
// @Singleton, not @ApplicationScoped: called on every request, and a call through a client
// proxy looks the instance up first (2.5 % of a GET's samples for the two proxies).
@Singleton
public class RequestMetrics {
  /** Data-API operations, as the {@code op} tag. */
  public enum Op {
    GET,
    HEAD,
    PUT,
    DELETE,
    LIST_IDS,
    DELETE_KEY,
    LIST_KEYS,
    OPTIONS,
    INVALID;

    final String tag = name().toLowerCase();
  }

  private static final int STATUSES = 600;

  /**
   * The histograms' bucket bounds. A request the node's own store answers takes microseconds, one
   * sent to another store a fraction of a millisecond, and one may be retried for up to the request
   * timeout (5 s by default). Micrometer's percentile buckets for timers start at 1 ms, so nearly
   * every request fell in the first; these resolve the range where Stored's latencies are, with 20
   * buckets rather than 69.
   */
  private static final Duration[] BUCKETS = {
    Duration.ofNanos(5_000),
    Duration.ofNanos(10_000),
    Duration.ofNanos(25_000),
    Duration.ofNanos(50_000),
    Duration.ofNanos(100_000),
    Duration.ofNanos(250_000),
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofNanos(2_500_000),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2_500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private final MeterRegistry registry;

  /** Indexed by op ordinal * 600 + status: no key object per request. */
  private final AtomicReferenceArray<Timer> timers =
      new AtomicReferenceArray<>(Op.values().length * STATUSES);

  RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(Op op, int status, long startNanos) {
    int k = op.ordinal() * STATUSES + status;
    Timer t = timers.get(k);
    if (t == null) {
      // Micrometer returns the registered timer when one with these tags exists.
      t =
          Timer.builder("stored.requests")
              .description("Data API requests by operation and status")
              .tag("op", op.tag)
              .tag("status", Integer.toString(status))
              .serviceLevelObjectives(BUCKETS)
              .register(registry);
      timers.set(k, t);
    }
    t.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }

  /** Publishes how many connections were asked to reconnect so as to reach another event loop. */
  void connectionsMoved(LongAdder moved) {
    // held weakly by Micrometer: the fast path holds it as long as it serves
    FunctionCounter.builder("stored.http.connections.moved", moved, LongAdder::sum)
        .description(
            "Connections asked to reconnect because another event loop serves their client's CPU")
        .register(registry);
  }

  /** Publishes the connections open on each of {@code loops}' event loops. */
  void connectionsPerLoop(LoopPlacement loops) {
    for (int i = 0; i < loops.loops(); i++) {
      int loop = i;
      Gauge.builder("stored.http.connections", () -> loops.open(loop))
          .description(
              "Connections open on each event loop of the HTTP port (placed by incoming CPU)")
          .tag("loop", Integer.toString(loop))
          .strongReference(true)
          .register(registry);
    }
  }
}
