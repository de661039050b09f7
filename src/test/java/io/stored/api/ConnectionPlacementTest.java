package io.stored.api;

import static io.stored.testing.Requests.metric;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.stored.testing.RawHttp;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Connections go to the event loop of the CPU their packets arrive on (LoopPlacement): here client
 * threads pinned with taskset connect over loopback, whose packets are handled on the sending
 * thread's CPU.
 */
@QuarkusTest
class ConnectionPlacementTest {
  @TestHTTPResource("/")
  URL base;

  @Inject DataRoutes routes;

  private final List<Socket> open = new ArrayList<>();

  @AfterEach
  void close() throws IOException {
    for (Socket s : open) {
      s.close();
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

  /** Opens {@code n} connections from a thread pinned to {@code cpu}, each answered once. */
  private void connectFrom(int cpu, int n) throws Exception {
    List<Socket> made = new ArrayList<>();
    Throwable[] failure = new Throwable[1];
    Thread t =
        new Thread(
            () -> {
              try {
                pinThisThread(cpu);
                for (int i = 0; i < n; i++) {
                  Socket s = new Socket(base.getHost(), base.getPort());
                  made.add(s);
                  s.setSoTimeout(10_000);
                  s.getOutputStream()
                      .write(
                          "GET /placement/k/0 HTTP/1.1\r\nHost: localhost\r\n\r\n"
                              .getBytes(StandardCharsets.US_ASCII));
                  assertThat(statusLine(s.getInputStream())).isEqualTo("HTTP/1.1 404 Not Found");
                }
              } catch (Exception | AssertionError e) {
                failure[0] = e;
              }
            });
    t.start();
    t.join(30_000);
    assertThat(t.isAlive()).as("the client thread finished within 30 s").isFalse();
    open.addAll(made);
    if (failure[0] != null) {
      throw new AssertionError("client thread on CPU " + cpu + " failed", failure[0]);
    }
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

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != '\r'; c = in.read()) {
      assertThat(c).as("connection closed before the status line").isNotNegative();
      line.append((char) c);
    }
    return line.toString();
  }
}
