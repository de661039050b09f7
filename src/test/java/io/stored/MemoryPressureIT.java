package io.stored;

import static org.assertj.core.api.Assertions.assertThat;

import io.stored.testing.LocalCluster;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Memory pressure on the packaged app in its own small JVM (128 MiB heap, the memory limit left at
 * its default share of the heap): clients write twice the limit. The limit must hold against the
 * real heap, not only against the accounting: no OutOfMemoryError (the JVM is told to exit on one),
 * the process stays ready, and every acknowledged write that was not evicted reads back.
 */
class MemoryPressureIT {
  private static final String HEAP = "-Xmx128m";
  private static final int VALUE = 8 * 1024;
  private static final int CLIENTS = 8;

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(2))
          .build();

  @Test
  void evictionNone_twiceTheLimit_is507_andEveryAcknowledgedWriteStays() throws Exception {
    try (Node node = Node.start("none")) {
      long limit = node.metric("stored_memory_max_bytes");
      Map<Integer, Integer> statuses = writeTwice(node, limit);
      System.out.printf(
          "[memory] eviction none, %s, limit %d bytes: statuses %s%n", HEAP, limit, statuses);
      assertThat(statuses).containsOnlyKeys(201, 507);
      assertThat(statuses.get(201) * (long) VALUE)
          .as("the store fills up to about its limit")
          .isBetween(limit / 2, limit);
      node.assertHealthy();
      int readable = 0;
      for (int i = 0; i < node.written.length(); i++) {
        if (node.acknowledged(i)) {
          assertThat(node.read(i)).as("acknowledged item %d", i).isEqualTo(200);
          readable++;
        }
      }
      assertThat(readable).isEqualTo(statuses.get(201));
    }
  }

  @Test
  void evictionLru_twiceTheLimit_evicts_andAcceptsEveryWrite() throws Exception {
    try (Node node = Node.start("lru")) {
      long limit = node.metric("stored_memory_max_bytes");
      Map<Integer, Integer> statuses = writeTwice(node, limit);
      long evictions = node.metric("stored_evictions_total");
      System.out.printf(
          "[memory] eviction lru, %s, limit %d bytes: statuses %s, %d evictions%n",
          HEAP, limit, statuses, evictions);
      assertThat(statuses).containsOnlyKeys(201);
      assertThat(evictions).isGreaterThan(statuses.get(201) / 3);
      assertThat(node.metric("stored_memory_used_bytes")).isLessThanOrEqualTo(limit);
      node.assertHealthy();
      // the newest writes are still there, the oldest were evicted
      assertThat(node.read(node.written.length() - 1)).isEqualTo(200);
      assertThat(node.read(0)).isEqualTo(404);
    }
  }

  /** Writes distinct 8 KiB items from several clients until twice {@code limit} was sent. */
  private Map<Integer, Integer> writeTwice(Node node, long limit) throws Exception {
    int items = (int) (2 * limit / VALUE);
    node.written = new java.util.concurrent.atomic.AtomicIntegerArray(items);
    AtomicInteger next = new AtomicInteger();
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    byte[] value = new byte[VALUE];
    Arrays.fill(value, (byte) 'v');
    ExecutorService pool = Executors.newFixedThreadPool(CLIENTS);
    try {
      List<Future<?>> clients = new ArrayList<>();
      for (int c = 0; c < CLIENTS; c++) {
        clients.add(
            pool.submit(
                () -> {
                  for (int i = next.getAndIncrement(); i < items; i = next.getAndIncrement()) {
                    int status =
                        http.send(
                                HttpRequest.newBuilder(node.item(i))
                                    .timeout(Duration.ofSeconds(30))
                                    .PUT(HttpRequest.BodyPublishers.ofByteArray(value))
                                    .build(),
                                HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                    node.written.set(i, status);
                    statuses.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
                  }
                  return null;
                }));
      }
      for (Future<?> f : clients) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    Map<Integer, Integer> out = new TreeMap<>();
    statuses.forEach((s, n) -> out.put(s, n.get()));
    return out;
  }

  /** The packaged app in its own JVM, exiting on an OutOfMemoryError. */
  private static final class Node implements AutoCloseable {
    final Process process;
    final Path log;
    final int port;
    final int management;
    java.util.concurrent.atomic.AtomicIntegerArray written;
    private final HttpClient http = HttpClient.newHttpClient();

    private Node(Process process, Path log, int port, int management) {
      this.process = process;
      this.log = log;
      this.port = port;
      this.management = management;
    }

    static Node start(String eviction) throws IOException {
      Path jar = Path.of("target/stored.jar");
      assertThat(jar).as("the packaged app (run ./mvnw verify)").exists();
      Path log = Path.of("target/memory-it/" + eviction + ".log");
      Files.createDirectories(log.getParent());
      int port = LocalCluster.freePort();
      int management = LocalCluster.freePort();
      Process p =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  HEAP,
                  "-XX:+ExitOnOutOfMemoryError",
                  "-Dstored.store.eviction=" + eviction,
                  "-Dquarkus.http.host=127.0.0.1",
                  "-Dquarkus.http.port=" + port,
                  "-Dquarkus.management.host=127.0.0.1",
                  "-Dquarkus.management.port=" + management,
                  "-jar",
                  jar.toString())
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      Node node = new Node(p, log, port, management);
      try {
        node.awaitReady();
      } catch (RuntimeException e) {
        node.close();
        throw e;
      }
      return node;
    }

    URI item(int i) {
      return URI.create("http://127.0.0.1:" + port + "/pressure/k" + i + "/0");
    }

    boolean acknowledged(int i) {
      return written.get(i) == 201;
    }

    int read(int i) throws Exception {
      return http.send(
              HttpRequest.newBuilder(item(i)).timeout(Duration.ofSeconds(10)).build(),
              HttpResponse.BodyHandlers.discarding())
          .statusCode();
    }

    void awaitReady() {
      Awaitility.await("the app is ready")
          .atMost(Duration.ofSeconds(60))
          .pollInterval(Duration.ofMillis(100))
          .ignoreExceptions()
          .until(
              () -> {
                assertThat(process.isAlive()).as("running (see %s)", log).isTrue();
                return management("/q/health/ready").statusCode() == 200;
              });
    }

    void assertHealthy() throws Exception {
      assertThat(process.isAlive()).as("still running (see %s)", log).isTrue();
      assertThat(management("/q/health/ready").statusCode()).isEqualTo(200);
      assertThat(Files.readString(log)).doesNotContain("OutOfMemoryError");
    }

    long metric(String name) {
      return (long) LocalCluster.awaitMetric(management, name);
    }

    private HttpResponse<String> management(String path) throws Exception {
      return http.send(
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + management + path))
              .timeout(Duration.ofSeconds(10))
              .build(),
          HttpResponse.BodyHandlers.ofString());
    }

    @Override
    public void close() {
      process.destroyForcibly();
    }
  }
}
