package io.stored.api;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * {@code stored.requests}: a latency histogram per data-API operation and status. Timers are built
 * once per (operation, status) and cached, so recording is a map lookup and an add.
 */
@ApplicationScoped
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

  private final MeterRegistry registry;
  private final ConcurrentHashMap<Integer, Timer> timers = new ConcurrentHashMap<>();

  RequestMetrics(MeterRegistry registry) {
    this.registry = registry;
  }

  void record(Op op, int status, long startNanos) {
    int k = op.ordinal() * 1000 + status;
    Timer t = timers.get(k);
    if (t == null) {
      t =
          timers.computeIfAbsent(
              k,
              x ->
                  Timer.builder("stored.requests")
                      .description("Data API requests by operation and status")
                      .tag("op", op.tag)
                      .tag("status", Integer.toString(status))
                      .publishPercentileHistogram()
                      .register(registry));
    }
    t.record(System.nanoTime() - startNanos, TimeUnit.NANOSECONDS);
  }
}
