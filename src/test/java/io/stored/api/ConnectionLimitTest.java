package io.stored.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.stored.testing.RawHttp;
import java.io.IOException;
import java.net.Socket;
import java.net.URL;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** quarkus.http.limits.max-connections bounds open connections; the next is refused at once. */
@QuarkusTest
@TestProfile(ConnectionLimitTest.TwentyConnections.class)
class ConnectionLimitTest {
  public static class TwentyConnections implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.http.limits.max-connections", "20");
    }
  }

  static final int HELD = 20;

  @TestHTTPResource("/")
  URL base;

  @Test
  void pastTheLimit_aConnectionIsClosed_andServiceResumesWhenConnectionsEnd() throws IOException {
    String server = base.toString();
    assertThat(RawHttp.send(server, "PUT", "/limit/k/0", new byte[] {1}).status()).isEqualTo(201);
    List<RawHttp.Connection> held = new ArrayList<>();
    try {
      for (int i = 0; i < HELD; i++) {
        // Kept-alive connections after one answered request (a connection is counted once its
        // first request head arrived; the idle timeout covers silent ones).
        RawHttp.Connection c = RawHttp.connect(server);
        held.add(c);
        c.send(RawHttp.request("GET", "/limit/k/0", null, false));
      }
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () ->
                  assertThat(closedWithoutAnswer(RawHttp.request("GET", "/limit/k/0", null, true)))
                      .isTrue());
    } finally {
      for (RawHttp.Connection c : held) {
        c.close();
      }
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(RawHttp.send(server, "GET", "/limit/k/0").status()).isEqualTo(200));
  }

  /** Sends a request on a new connection; true when the server closes it without answering. */
  private boolean closedWithoutAnswer(byte[] request) throws IOException {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(5000);
      s.getOutputStream().write(request);
      return s.getInputStream().read() == -1;
    } catch (java.net.SocketException reset) {
      return true;
    }
  }
}
