package io.stored.api;

import static io.stored.testing.Requests.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.stored.testing.RawHttp;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections go to the event loop of the CPU their packets arrive on (LoopPlacement): here client
 * threads pinned with taskset connect over loopback, whose packets are handled on the sending
 * thread's CPU.
 */
@QuarkusTest
@TestProfile(ConnectionPlacementTest.OwnServer.class)
class ConnectionPlacementTest {
  /**
   * A server of its own: connections other test classes left open (a client's keep-alive pool)
   * would count in the loops' tallies of CPUs, from CPUs no one pinned.
   */
  public static class OwnServer implements QuarkusTestProfile {}

  @TestHTTPResource("/")
  URL base;

  @Inject DataRoutes routes;

  private final List<AutoCloseable> open = new ArrayList<>();

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : open) {
      c.close();
    }
  }

  @Test
  void theConnectionsOfOneCpuShareALoopAndTwoCpusUseTwo() throws Exception {
    assumeThat(Runtime.getRuntime().availableProcessors()).isGreaterThanOrEqualTo(2);
    assertThat(RawHttp.send(base.toString(), "GET", "/placement/arming/0").status()).isEqualTo(404);
    FastPath fast = routes.fastPath();
    connectFrom(0, 1); // the placement learns Vert.x's loops at the first connection after arming
    long[] before = fast.acceptedPerLoop();
    assertThat(before).as("loops of the HTTP port").hasSizeGreaterThanOrEqualTo(2);
    long placed = fast.placed();
    long misplaced = fast.misplaced();

    // interleaved, so that neither round-robin nor "least busy" would give 6 and 3
    connectFrom(0, 3);
    connectFrom(1, 3);
    connectFrom(0, 3);

    long[] after = fast.acceptedPerLoop();
    assertThat(after[0] - before[0]).as("on CPU 0's loop").isEqualTo(6);
    assertThat(after[1] - before[1]).as("on CPU 1's loop").isEqualTo(3);
    assertThat(fast.placed() - placed).isEqualTo(9);
    assertThat(fast.misplaced() - misplaced).isZero();

    // the gauges count the connections still open (ours are): at least ours on each loop
    assertThat(metric("stored_http_connections{loop=\"0\"")).isGreaterThanOrEqualTo(6 + 1);
    assertThat(metric("stored_http_connections{loop=\"1\"")).isGreaterThanOrEqualTo(3);
  }

  @Test
  void aConnectionWhoseClientThreadMovedToAnotherLoopsCpu_isAskedToReconnectThere()
      throws Exception {
    assumeThat(Runtime.getRuntime().availableProcessors()).isGreaterThanOrEqualTo(2);
    assertThat(RawHttp.send(base.toString(), "GET", "/placement/arming/0").status()).isEqualTo(404);
    byte[] put =
        RawHttp.request("PUT", "/placement/moving/0", "v".getBytes(StandardCharsets.UTF_8), true);
    assertThat(RawHttp.send(base.toString(), put).status()).isIn(200, 201);
    FastPath fast = routes.fastPath();
    // CPU 0's loop gets four connections from CPU 0 and two of a thread that moves to CPU 1; CPU
    // 1's loop gets three from CPU 1. Each is answered once, which reports its CPU.
    List<RawHttp.Connection> staying = onCpu(0, () -> connections(4));
    onCpu(1, () -> connections(3));
    List<RawHttp.Connection> moving = onCpu(0, () -> connections(2));
    long[] before = fast.acceptedPerLoop();
    assertThat(before).hasSizeGreaterThanOrEqualTo(2);
    long moved = fast.moved();

    List<Integer> askedAt =
        onCpu(
            1,
            () -> {
              List<Integer> at = new ArrayList<>();
              for (RawHttp.Connection c : moving) {
                at.add(requestsUntilAskedToReconnect(c));
                assertThat(c.closedByServer()).as("closed after that answer").isTrue();
                connections(1); // the reconnection, from CPU 1
              }
              return at;
            });

    // looks at its requests 0, 64 and 128: astray at the second and third, moved at the third
    assertThat(askedAt).containsExactly(2 * FastPath.RECHECK_EVERY, 2 * FastPath.RECHECK_EVERY);
    assertThat(fast.moved() - moved).isEqualTo(2);
    long[] after = fast.acceptedPerLoop();
    assertThat(after[1] - before[1]).as("reconnected to CPU 1's loop").isEqualTo(2);
    assertThat(after[0] - before[0]).isZero();
    assertThat(metric("stored_http_connections_moved_total")).isGreaterThanOrEqualTo(2);
    for (RawHttp.Connection c : staying) {
      RawHttp.Response r = c.send(RawHttp.request("GET", "/placement/moving/0", null, false));
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.header("connection")).as("the connections that stayed are kept").isNull();
    }
  }

  /** Sends GETs on {@code c} until an answer says {@code connection: close}; returns how many. */
  private static int requestsUntilAskedToReconnect(RawHttp.Connection c) throws IOException {
    byte[] get = RawHttp.request("GET", "/placement/moving/0", null, false);
    for (int i = 1; i <= 10 * FastPath.RECHECK_EVERY; i++) {
      RawHttp.Response r = c.send(get);
      assertThat(r.status()).isEqualTo(200);
      assertThat(r.bodyText()).isEqualTo("v");
      if ("close".equals(r.header("connection"))) {
        return i;
      }
    }
    throw new AssertionError("never asked to reconnect");
  }

  /** Opens {@code n} connections, each answered once (kept open until the test ends). */
  private List<RawHttp.Connection> connections(int n) throws IOException {
    List<RawHttp.Connection> made = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RawHttp.Connection c = RawHttp.connect(base.toString());
      synchronized (open) {
        open.add(c);
      }
      made.add(c);
      RawHttp.Response r = c.send(RawHttp.request("GET", "/placement/k/0", null, false));
      assertThat(r.status()).isEqualTo(404);
    }
    return made;
  }

  /** Opens {@code n} connections from a thread pinned to {@code cpu}, each answered once. */
  private void connectFrom(int cpu, int n) throws Exception {
    onCpu(cpu, () -> connections(n));
  }

  /** Runs {@code work} on a new thread pinned to {@code cpu}; returns its result. */
  private static <T> T onCpu(int cpu, Callable<T> work) throws Exception {
    List<T> result = new ArrayList<>();
    Throwable[] failure = new Throwable[1];
    Thread t =
        new Thread(
            () -> {
              try {
                pinThisThread(cpu);
                result.add(work.call());
              } catch (Exception | AssertionError e) {
                failure[0] = e;
              }
            });
    t.start();
    t.join(30_000);
    assertThat(t.isAlive()).as("the client thread finished within 30 s").isFalse();
    if (failure[0] != null) {
      throw new AssertionError("client thread on CPU " + cpu + " failed", failure[0]);
    }
    return result.get(0);
  }

  private static void pinThisThread(int cpu) throws IOException, InterruptedException {
    // /proc/thread-self links to <pid>/task/<tid>: the kernel's id of this very thread
    String tid = Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    Process p =
        new ProcessBuilder("taskset", "-p", "-c", Integer.toString(cpu), tid)
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(out).isZero();
  }
}
