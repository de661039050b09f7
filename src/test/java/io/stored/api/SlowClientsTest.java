package io.stored.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.stored.testing.RawHttp;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A thousand connections that are idle, stuck in their headers or trickling a body do not stop
 * other clients, and the server ends each of them on its own: the idle ones after
 * quarkus.http.idle-timeout, the slow bodies with 408 after stored.api.body-timeout.
 */
@QuarkusTest
@TestProfile(SlowClientsTest.ShortTimeouts.class)
class SlowClientsTest {
  public static class ShortTimeouts implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("quarkus.http.idle-timeout", "4s", "stored.api.body-timeout", "2s");
    }
  }

  @TestHTTPResource("/")
  URL base;

  @Inject DataRoutes routes;

  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void closeAll() throws IOException {
    for (Socket s : sockets) {
      s.close();
    }
  }

  @Test
  void aThousandIdleOrSlowConnections_doNotStopOtherClients_andAreEndedByTheServer()
      throws IOException {
    List<Socket> idle = open(400, "");
    List<Socket> stuckInHeaders = open(300, "PUT /slow/headers/0 HTTP/1.1\r\nHost: x\r\nX-A: ");
    List<Socket> slowBodies =
        open(
            300,
            "PUT /slow/body/0 HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n" + "only ten b");

    // Other clients are served as usual while the thousand connections are open.
    String server = base.toString();
    for (int i = 0; i < 100; i++) {
      byte[] value = ("value " + i).getBytes(StandardCharsets.UTF_8);
      assertThat(RawHttp.send(server, "PUT", "/normal/k" + i + "/0", value).status())
          .isEqualTo(201);
      RawHttp.Response got = RawHttp.send(server, "GET", "/normal/k" + i + "/0");
      assertThat(got.status()).isEqualTo(200);
      assertThat(got.body()).isEqualTo(value);
    }

    // Each slow body is answered 408 (problem+json) and its connection closed; nothing stored.
    for (Socket s : slowBodies) {
      s.setSoTimeout(15_000);
      String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      assertThat(answer)
          .startsWith("HTTP/1.1 408")
          .contains("application/problem+json")
          .contains("stored.api.body-timeout");
    }
    assertThat(RawHttp.send(server, "GET", "/slow/body/0").status()).isEqualTo(404);

    // Idle connections and connections stuck in their headers are closed by the idle timeout.
    List<Socket> quiet = new ArrayList<>(idle);
    quiet.addAll(stuckInHeaders);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(quiet).allMatch(SlowClientsTest::closedByServer));
    assertThat(RawHttp.send(server, "GET", "/slow/headers/0").status()).isEqualTo(404);
  }

  @Test
  void aBodyInTime_isStored_andItsKeptAliveConnectionGetsNoLate408() throws Exception {
    try (RawHttp.Connection c = RawHttp.connect(base.toString())) {
      byte[] put = RawHttp.request("PUT", "/slow/intime/0", bytes("half.done!"), false);
      int half = put.length - 5;
      c.write(java.util.Arrays.copyOf(put, half));
      // a slow client, within the 2 s body timeout: the second half comes a second later
      Thread.sleep(1000);
      assertThat(c.send(java.util.Arrays.copyOfRange(put, half, put.length)).status())
          .isEqualTo(201);
      // Past the body's deadline nothing more may arrive on the connection (a 408 written
      // now would be read as the answer to the next request): an absence, so a fixed wait.
      Thread.sleep(2600);
      assertThat(c.unread()).isZero();
      RawHttp.Response got = c.send(RawHttp.request("GET", "/slow/intime/0", null, false));
      assertThat(got.status()).isEqualTo(200);
      assertThat(got.bodyText()).isEqualTo("half.done!");
    }
  }

  @Test
  void idleConnections_areClosedWhicheverPathServedThem_andOnesInUseStayOpen() throws Exception {
    String server = base.toString();
    // a port's first request arms the fast path for the connections it accepts afterwards
    assertThat(RawHttp.send(server, "GET", "/idle/arming/0").status()).isEqualTo(404);
    FastPath fast = routes.fastPath();
    long served = fast.served();
    long handedOff = fast.handedOff();
    // one kept alive after the fast path answered, one after Vert.x answered (a listing)
    Socket afterFastPath = open(1, "GET /idle/item/0 HTTP/1.1\r\nHost: x\r\n\r\n").get(0);
    Socket afterVertx = open(1, "GET /idle/item HTTP/1.1\r\nHost: x\r\n\r\n").get(0);
    await().untilAsserted(() -> assertThat(fast.served() - served).isEqualTo(1));
    await().untilAsserted(() -> assertThat(fast.handedOff() - handedOff).isEqualTo(1));

    // a third sends a request a second, for longer than the 4-s timeout
    try (RawHttp.Connection busy = RawHttp.connect(server)) {
      for (int i = 0; i < 6; i++) {
        assertThat(busy.send(RawHttp.request("GET", "/idle/busy/0", null, false)).status())
            .isEqualTo(404);
        if (i == 2) {
          // 2 s in, nothing is closed yet (an absence: the pace of the loop is the wait)
          assertThat(closedByServer(afterFastPath)).isFalse();
          assertThat(closedByServer(afterVertx)).isFalse();
        }
        Thread.sleep(1000); // the client's pace, shorter than the timeout
      }
      assertThat(busy.send(RawHttp.request("GET", "/idle/busy/0", null, false)).status())
          .isEqualTo(404);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(List.of(afterFastPath, afterVertx))
                    .allMatch(SlowClientsTest::closedByServer));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private List<Socket> open(int count, String firstBytes) throws IOException {
    List<Socket> opened = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      Socket s = new Socket(base.getHost(), base.getPort());
      sockets.add(s);
      opened.add(s);
      if (!firstBytes.isEmpty()) {
        OutputStream out = s.getOutputStream();
        out.write(firstBytes.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
      }
    }
    return opened;
  }

  /** Whether the server has closed the connection: a read sees the end (or a reset) at once. */
  private static boolean closedByServer(Socket s) {
    try {
      s.setSoTimeout(50);
      InputStream in = s.getInputStream();
      while (true) {
        int b = in.read();
        if (b == -1) {
          return true;
        }
      }
    } catch (SocketTimeoutException e) {
      return false;
    } catch (IOException e) {
      return true;
    }
  }
}
