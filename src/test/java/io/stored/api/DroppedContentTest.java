package io.stored.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.common.http.TestHTTPResourceManager;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.stored.testing.LeakWatch;
import io.stored.testing.RawHttp;
import java.io.IOException;
import java.net.Socket;
import java.net.URI;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A request with a body pipelined behind one that ends the connection: Vert.x drops that body
 * without releasing its buffer ({@link DroppedContent} frees it). Netty's leak detector, at its
 * paranoid level for these tests, reports every pooled buffer collected while still held. The data
 * port with the fast path (here) and without it ({@link WithoutFastPath}), and the management port
 * (here); each of these fails without the releaser. {@code TlsTest} guards the HTTPS port.
 */
@QuarkusTest
class DroppedContentTest {
  @TestHTTPResource("/")
  URL base;

  private LeakWatch leaks;

  @BeforeEach
  void watchLeaks() throws Exception {
    leaks = LeakWatch.paranoid();
  }

  @AfterEach
  void stopWatching() {
    leaks.close();
  }

  @Test
  void aBodyPipelinedBehindAClosingRequestIsFreed() throws Exception {
    // the first request Vert.x serves arms the port: later connections get the releaser
    assertThat(RawHttp.send(base.toString(), "GET", "/dropped/arming/0").status()).isEqualTo(404);
    for (int i = 0; i < 40; i++) {
      // the HTTP/1.0 request is answered, the connection closed, the PUT not run
      assertThat(closingThenBody(() -> new Socket(base.getHost(), base.getPort()), "/dropped/k/0"))
          .startsWith("HTTP/1.0 404 ")
          .doesNotContain("HTTP/1.1 201");
    }
    assertThat(RawHttp.send(base.toString(), "GET", "/dropped/k/1").status())
        .as("the dropped PUT was not applied")
        .isEqualTo(404);
    leaks.assertNone(this::allocate);
  }

  @Test
  void onTheManagementPort_too() throws Exception {
    URI management = URI.create(TestHTTPResourceManager.getManagementUri());
    String root = "http://" + management.getAuthority();
    assertThat(RawHttp.send(root, "GET", "/q/health/live").status()).isEqualTo(200); // arms it
    for (int i = 0; i < 40; i++) {
      assertThat(
              closingThenBody(
                  () -> new Socket(management.getHost(), management.getPort()), "/q/health/live"))
          .startsWith("HTTP/1.0 200 ");
    }
    leaks.assertNone(this::allocate);
  }

  private void allocate() throws IOException {
    for (int i = 0; i < 20; i++) {
      RawHttp.send(base.toString(), "PUT", "/dropped/after/" + i, "v".getBytes());
    }
  }

  /**
   * Sends, on a new connection, an HTTP/1.0 GET of {@code path} with a PUT with a body pipelined
   * behind it, and returns all that comes back until the server closes the connection.
   */
  static String closingThenBody(Callable<Socket> connect, String path) throws Exception {
    String closing = "GET " + path + " HTTP/1.0\r\nHost: h\r\n\r\n";
    String behind = "PUT /dropped/k/1 HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello";
    try (Socket s = connect.call()) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write((closing + behind).getBytes(StandardCharsets.US_ASCII));
      return new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    } catch (IOException e) {
      throw new AssertionError("exchange on " + path + " failed", e);
    }
  }

  /** The same with the fast path off: every request is Vert.x's. */
  @QuarkusTest
  @TestProfile(WithoutFastPath.Off.class)
  static class WithoutFastPath extends DroppedContentTest {
    public static class Off implements QuarkusTestProfile {
      @Override
      public Map<String, String> getConfigOverrides() {
        return Map.of("stored.api.fast-path", "false");
      }
    }
  }
}
