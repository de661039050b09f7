package io.stored.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import io.prometheus.client.Collector.MetricFamilySamples;
import io.prometheus.client.Collector.MetricFamilySamples.Sample;
import io.prometheus.client.CollectorRegistry;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * {@code stored_requests_seconds}: a latency histogram per data-API operation and status (buckets
 * from 5 us to 10 s), published to the Prometheus registry that {@code /q/metrics} scrapes. Also
 * {@code stored.http.connections}, the connections open on each event loop of the HTTP port, and
 * {@code stored.http.connections.moved}, those asked to reconnect to another loop.
 *
 * <p>The histograms are not Micrometer timers: recording one of those cost about 5 % of a GET's CPU
 * (a profile of 2026-11-29: its bucket counts are shared atomics both event loops write, and it
 * reads the wall clock twice, for its time-windowed maximum and histogram). Here recording is a
 * bucket search from the smallest bound and two {@link LongAdder} adds; the maximum is left out.
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
   * The histograms' bucket bounds in nanoseconds, from 5 us to 10 s. A request the node's own store
   * answers takes microseconds, one sent to another store a fraction of a millisecond, and one may
   * be retried for up to the request timeout (5 s by default). Micrometer's percentile buckets for
   * timers start at 1 ms, so nearly every request fell in the first; these resolve the range where
   * Stored's latencies are, with 20 buckets rather than 69.
   */
  private static final long[] BOUNDS = {
    5_000L,
    10_000L,
    25_000L,
    50_000L,
    100_000L,
    250_000L,
    500_000L,
    1_000_000L,
    2_500_000L,
    5_000_000L,
    10_000_000L,
    25_000_000L,
    50_000_000L,
    100_000_000L,
    250_000_000L,
    500_000_000L,
    1_000_000_000L,
    2_500_000_000L,
    5_000_000_000L,
    10_000_000_000L
  };

  /** Each bound in seconds, as Prometheus' {@code le} label spells it. */
  private static final String[] LE = new String[BOUNDS.length];

  static {
    for (int i = 0; i < BOUNDS.length; i++) {
      LE[i] = Collector.doubleToGoString(BOUNDS[i] / 1e9);
    }
  }

  private static final String NAME = "stored_requests_seconds";
  private static final String HELP = "Data API requests by operation and status";
  private static final List<String> LABELS = List.of("op", "status");
  private static final List<String> BUCKET_LABELS = List.of("op", "status", "le");

  private final MeterRegistry registry;

  /** Indexed by op ordinal * 600 + status: no key object per request. */
  private final AtomicReferenceArray<Histogram> histograms =
      new AtomicReferenceArray<>(Op.values().length * STATUSES);

  private final Export export = new Export();
  private final CollectorRegistry exportedTo;
  private boolean closed;

  /** Exports the histograms to the Prometheus registry that {@code /q/metrics} scrapes. */
  @Inject
  RequestMetrics(MeterRegistry registry, Instance<PrometheusMeterRegistry> prometheus) {
    this(registry, prometheus.isResolvable() ? prometheus.get().getPrometheusRegistry() : null);
  }

  /**
   * @param exportTo where the histograms are published, or null for nowhere (they are kept anyway)
   */
  RequestMetrics(MeterRegistry registry, CollectorRegistry exportTo) {
    this.registry = registry;
    this.exportedTo = exportTo;
    if (exportTo != null) {
      exportTo.register(export);
    }
  }

  /** Takes the histograms out of the registry (once: a second call does nothing). */
  @PreDestroy
  synchronized void close() {
    if (exportedTo != null && !closed) {
      exportedTo.unregister(export);
    }
    closed = true;
  }

  /**
   * Counts a request that arrived at {@code startNanos} ({@link System#nanoTime}) and is answered.
   */
  void record(Op op, int status, long startNanos) {
    observe(op, status, System.nanoTime() - startNanos);
  }

  void observe(Op op, int status, long nanos) {
    int k = op.ordinal() * STATUSES + status;
    Histogram h = histograms.get(k);
    if (h == null) {
      histograms.compareAndSet(k, null, new Histogram(op, status));
      h = histograms.get(k);
    }
    h.observe(nanos);
  }

  /**
   * One operation and status's latencies: a count per bucket and the sum. Each is a LongAdder, so
   * event loops that record at once do not contend for one cache line.
   */
  private static final class Histogram {
    final List<String> labels;
    final LongAdder[] counts = new LongAdder[BOUNDS.length + 1]; // the last: above every bound
    final LongAdder sumNanos = new LongAdder();

    Histogram(Op op, int status) {
      labels = List.of(op.tag, Integer.toString(status));
      for (int i = 0; i < counts.length; i++) {
        counts[i] = new LongAdder();
      }
    }

    void observe(long nanos) {
      int i = 0;
      while (i < BOUNDS.length && nanos > BOUNDS[i]) {
        i++; // from the smallest: most requests fall in the first buckets
      }
      counts[i].increment();
      sumNanos.add(nanos);
    }
  }

  /** Publishes the histograms as one Prometheus histogram family, labelled by op and status. */
  private final class Export extends Collector implements Collector.Describable {
    @Override
    public List<MetricFamilySamples> collect() {
      List<Sample> samples = new ArrayList<>();
      for (int k = 0; k < histograms.length(); k++) {
        Histogram h = histograms.get(k);
        if (h == null) {
          continue;
        }
        long cumulative = 0;
        for (int i = 0; i <= BOUNDS.length; i++) {
          cumulative += h.counts[i].sum();
          samples.add(
              new Sample(
                  NAME + "_bucket",
                  BUCKET_LABELS,
                  withLe(h.labels, i < BOUNDS.length ? LE[i] : "+Inf"),
                  cumulative));
        }
        samples.add(new Sample(NAME + "_count", LABELS, h.labels, cumulative));
        samples.add(new Sample(NAME + "_sum", LABELS, h.labels, h.sumNanos.sum() / 1e9));
      }
      return List.of(new MetricFamilySamples(NAME, Type.HISTOGRAM, HELP, samples));
    }

    @Override
    public List<MetricFamilySamples> describe() {
      return List.of(new MetricFamilySamples(NAME, Type.HISTOGRAM, HELP, List.of()));
    }

    private static List<String> withLe(List<String> labels, String le) {
      return List.of(labels.get(0), labels.get(1), le);
    }
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
