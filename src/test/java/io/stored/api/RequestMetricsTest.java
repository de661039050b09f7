package io.stored.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.stored.api.RequestMetrics.Op;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The request histograms as a Prometheus scrape shows them (the text {@code /q/metrics} serves).
 */
class RequestMetricsTest {
  private final PrometheusMeterRegistry prometheus =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final RequestMetrics metrics =
      new RequestMetrics(prometheus, prometheus.getPrometheusRegistry());

  @AfterEach
  void close() {
    metrics.close();
    prometheus.close();
  }

  @Test
  void eachLatencyIsCountedInEveryBucketFromItsOwnUp_withTheCountAndSum() {
    metrics.observe(Op.GET, 200, 3_000); // 3 us
    metrics.observe(Op.GET, 200, 7_000);
    metrics.observe(Op.GET, 200, 2_000_000); // 2 ms
    metrics.observe(Op.GET, 200, 20_000_000_000L); // 20 s: above the last bound

    assertThat(lines("stored_requests_seconds", "op=\"get\",status=\"200\""))
        .containsExactly(
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"5.0E-6\",} 1.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"1.0E-5\",} 2.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"2.5E-5\",} 2.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"5.0E-5\",} 2.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"1.0E-4\",} 2.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"2.5E-4\",} 2.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"5.0E-4\",} 2.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"0.001\",} 2.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"0.0025\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"0.005\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"0.01\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"0.025\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"0.05\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"0.1\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"0.25\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"0.5\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"1.0\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"2.5\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"5.0\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"10.0\",} 3.0",
            "stored_requests_seconds_bucket{op=\"get\",status=\"200\",le=\"+Inf\",} 4.0",
            "stored_requests_seconds_count{op=\"get\",status=\"200\",} 4.0",
            "stored_requests_seconds_sum{op=\"get\",status=\"200\",} 20.00201");
    assertThat(prometheus.scrape())
        .contains("# TYPE stored_requests_seconds histogram")
        .contains("# HELP stored_requests_seconds Data API requests by operation and status");
  }

  @Test
  void aLatencyOnABound_isCountedInThatBucket() {
    metrics.observe(Op.PUT, 201, 5_000);
    metrics.observe(Op.PUT, 201, 1_000_000);

    assertThat(lines("stored_requests_seconds_bucket", "le=\"5.0E-6\""))
        .containsExactly(
            "stored_requests_seconds_bucket{op=\"put\",status=\"201\",le=\"5.0E-6\",} 1.0");
    assertThat(lines("stored_requests_seconds_bucket", "le=\"5.0E-4\""))
        .containsExactly(
            "stored_requests_seconds_bucket{op=\"put\",status=\"201\",le=\"5.0E-4\",} 1.0");
    assertThat(lines("stored_requests_seconds_bucket", "le=\"0.001\""))
        .containsExactly(
            "stored_requests_seconds_bucket{op=\"put\",status=\"201\",le=\"0.001\",} 2.0");
  }

  @Test
  void eachOperationAndStatusHasItsOwnSeries_andOnlyThoseSeen() {
    metrics.observe(Op.GET, 200, 1_000);
    metrics.observe(Op.GET, 404, 1_000);
    metrics.observe(Op.GET, 404, 1_000);
    metrics.observe(Op.DELETE, 200, 1_000);
    metrics.record(Op.HEAD, 412, System.nanoTime());

    assertThat(lines("stored_requests_seconds_count", ""))
        .containsExactlyInAnyOrder(
            "stored_requests_seconds_count{op=\"get\",status=\"200\",} 1.0",
            "stored_requests_seconds_count{op=\"get\",status=\"404\",} 2.0",
            "stored_requests_seconds_count{op=\"head\",status=\"412\",} 1.0",
            "stored_requests_seconds_count{op=\"delete\",status=\"200\",} 1.0");
  }

  @Test
  void closing_takesTheHistogramsOutOfTheScrape() {
    metrics.observe(Op.GET, 200, 1_000);
    assertThat(prometheus.scrape()).contains("stored_requests_seconds_count");

    metrics.close();

    assertThat(prometheus.scrape()).doesNotContain("stored_requests_seconds");
    // a new instance (a dev-mode reload's) registers again
    RequestMetrics again = new RequestMetrics(prometheus, prometheus.getPrometheusRegistry());
    again.observe(Op.GET, 200, 1_000);
    assertThat(prometheus.scrape()).contains("stored_requests_seconds_count");
    again.close();
  }

  /** The scrape's sample lines that start with {@code prefix} and contain {@code part}. */
  private List<String> lines(String prefix, String part) {
    return Arrays.stream(prometheus.scrape().split("\n"))
        .filter(l -> l.startsWith(prefix) && l.contains(part))
        .toList();
  }
}
