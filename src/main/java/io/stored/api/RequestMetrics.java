package io.stored.api;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * {@code stored.requests}: a latency histogram per data-API operation and status. Timers are built
 * once per (operation, status) and cached, so recording is an array read and an add. Also {@code
 * stored.http.connections}, the connections open on each event loop of the HTTP port.
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
              .publishPercentileHistogram()
              .register(registry);
      timers.set(k, t);
    }
    t.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
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
