package io.stored.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.stored.engine.ItemKey;
import io.stored.ring.PartitionHash;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Clients that write continuously through an endpoint and record every attempt, so a test can check
 * afterwards that every acknowledged write is readable: for each key, what is read is its last
 * acknowledged state, or one written after it whose outcome the client did not learn (a timed-out
 * or failed attempt may or may not have been applied, never an older state).
 *
 * <p>Every third write of a key deletes it (200, or 404 when nothing was there: both acknowledge
 * that it is gone), so an acknowledged delete must stay deleted as well. Each thread owns its keys,
 * so the attempts on one key are sequential.
 */
public final class RecordingWriter implements AutoCloseable {
  private final String endpoint;
  private final int partitions;
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Thread> workers = new ArrayList<>();
  private final Map<String, List<Attempt>> attempts = new ConcurrentHashMap<>();
  private final Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
  private final List<Attempt> all = java.util.Collections.synchronizedList(new ArrayList<>());
  private final AtomicInteger acked = new AtomicInteger();

  /** One write: its value (null: a delete), HTTP status (-1: no answer), start and end in nanos. */
  public record Attempt(String key, String value, int status, long start, long end) {
    boolean acked() {
      return status == 200 || (value == null ? status == 404 : status == 201);
    }
  }

  /**
   * Starts {@code threads} writers over {@code keysPerThread} keys each.
   *
   * @param partitions the cluster's partition count, to report windows per partition
   */
  public RecordingWriter(String endpoint, int threads, int keysPerThread, int partitions) {
    this.endpoint = endpoint;
    this.partitions = partitions;
    for (int t = 0; t < threads; t++) {
      int id = t;
      Thread th = new Thread(() -> run(id, keysPerThread), "writer-" + t);
      th.setDaemon(true);
      workers.add(th);
      th.start();
    }
  }

  private void run(int thread, int keys) {
    for (long i = 0; running.get(); i++) {
      String key = "w" + thread + "-" + (i % keys);
      String value = (i / keys) % 3 == 2 ? null : key + "@" + i;
      HttpRequest.Builder request =
          HttpRequest.newBuilder(URI.create(endpoint + "/default/" + key + "/0"))
              .timeout(Duration.ofSeconds(15));
      if (value == null) {
        request.DELETE();
      } else {
        request.PUT(HttpRequest.BodyPublishers.ofString(value));
      }
      long start = System.nanoTime();
      int status;
      try {
        status = http.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
      } catch (java.io.IOException e) {
        status = -1;
      } catch (InterruptedException e) {
        return;
      }
      Attempt a = new Attempt(key, value, status, start, System.nanoTime());
      attempts.computeIfAbsent(key, k -> new ArrayList<>()).add(a);
      all.add(a);
      statuses.merge(status, 1, Integer::sum);
      if (a.acked()) {
        acked.incrementAndGet();
      }
    }
  }

  /** Number of acknowledged writes (and deletes) so far. */
  public int acked() {
    return acked.get();
  }

  /** Count of each status seen so far (-1: no answer). */
  public Map<Integer, Integer> statuses() {
    return new TreeMap<>(statuses);
  }

  /** Attempts whose status is not 2xx, started after {@code sinceNanos}. */
  public List<Attempt> failuresSince(long sinceNanos) {
    synchronized (all) {
      return all.stream().filter(a -> !a.acked() && a.start() >= sinceNanos).toList();
    }
  }

  @Override
  public void close() throws InterruptedException {
    running.set(false);
    for (Thread t : workers) {
      t.join(Duration.ofSeconds(30).toMillis());
    }
  }

  /**
   * Stops writing and checks every key: what is read (a value, or nothing) is its last acknowledged
   * state or a later attempted one. Returns the number of keys checked.
   */
  public int verifyEveryAcknowledgedWriteIsReadable() throws Exception {
    close();
    int checked = 0;
    for (Map.Entry<String, List<Attempt>> e : attempts.entrySet()) {
      List<Attempt> as = e.getValue();
      int lastAcked = -1;
      for (int i = 0; i < as.size(); i++) {
        if (as.get(i).acked()) {
          lastAcked = i;
        }
      }
      if (lastAcked < 0) {
        continue;
      }
      List<String> allowed = new ArrayList<>();
      for (int i = lastAcked; i < as.size(); i++) {
        allowed.add(as.get(i).value());
      }
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(endpoint + "/default/" + e.getKey() + "/0"))
                  .timeout(Duration.ofSeconds(15))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
      assertThat(r.statusCode()).as("GET %s", e.getKey()).isIn(200, 404);
      String state = r.statusCode() == 200 ? r.body() : null;
      assertThat(state).as("value of %s (null: deleted)", e.getKey()).isIn(allowed);
      checked++;
    }
    return checked;
  }

  /**
   * For writes that started in {@code [fromNanos, toNanos)}: the longest time a write to each
   * partition took to be acknowledged (how long that partition was unavailable, as a client felt
   * it), in milliseconds, for partitions whose longest write took over {@code slowMillis}.
   */
  public Map<Integer, Long> slowPartitions(long fromNanos, long toNanos, long slowMillis) {
    Map<Integer, Long> out = new HashMap<>();
    synchronized (all) {
      for (Attempt a : all) {
        if (a.start() < fromNanos || a.start() >= toNanos) {
          continue;
        }
        long ms = (a.end() - a.start()) / 1_000_000;
        if (ms > slowMillis) {
          ItemKey k = ItemKey.of("default", a.key(), "0");
          int p =
              PartitionHash.partition(
                  PartitionHash.hash64(k.partitionKeyBytes(), 0, k.partitionKeyLength()),
                  partitions);
          out.merge(p, ms, Math::max);
        }
      }
    }
    return new TreeMap<>(out);
  }
}
