package io.stored.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.prometheus.client.CollectorRegistry;
import io.stored.engine.WriteResult;
import io.stored.replication.Message;
import io.stored.replication.Reply;
import io.stored.ring.Member;
import io.stored.ring.MemberState;
import io.stored.ring.Ring;
import io.stored.router.ClusterClient;
import io.stored.router.Router;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Optional;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * One fast-path connection in a Netty {@link EmbeddedChannel}, with a store whose answers the test
 * gives when it likes (as a remote store answers): requests behind an awaited one wait for it, the
 * answers keep the requests' order, and a hand-over passes Vert.x exactly the bytes not yet served.
 */
class FastPathConnectionTest {
  /** Messages sent to the store, with the futures that answer them. */
  private final Queue<Message> sent = new ArrayDeque<>();

  private final Queue<CompletableFuture<Reply>> pending = new ArrayDeque<>();

  /** What reaches the handler behind the fast path (Vert.x's, in the server). */
  private final ByteBuf handedOver = Unpooled.buffer();

  private final EmbeddedChannel channel = channel();

  private EmbeddedChannel channel() {
    Ring ring =
        Ring.create(
            1,
            List.of(new Member("s1", "127.0.0.1:1", MemberState.ACTIVE)),
            1,
            1,
            new int[][] {{0}});
    ClusterClient client =
        new ClusterClient(
            new Router(ring),
            (member, message) -> {
              CompletableFuture<Reply> f = new CompletableFuture<>();
              sent.add(message);
              pending.add(f);
              return f;
            },
            List.of(),
            1000);
    AccessControl noTokens =
        new AccessControl(
            new AccessControl.AuthConfig() {
              @Override
              public Optional<java.nio.file.Path> tokensFile() {
                return Optional.empty();
              }

              @Override
              public Duration reloadInterval() {
                return Duration.ofSeconds(2);
              }
            },
            null);
    FastPath fast =
        new FastPath(
            t -> t == null ? DataRoutes.OCTET_STREAM : t,
            client,
            noTokens,
            new RequestMetrics(new SimpleMeterRegistry(), new CollectorRegistry()),
            512,
            256,
            1 << 20,
            Integer.MAX_VALUE,
            false);
    return new EmbeddedChannel(
        fast.newConnection(),
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf b = (ByteBuf) msg;
            handedOver.writeBytes(b);
            b.release();
          }
        });
  }

  private void receive(String bytes) {
    channel.writeInbound(Unpooled.copiedBuffer(bytes, StandardCharsets.ISO_8859_1));
  }

  private String written() {
    StringBuilder out = new StringBuilder();
    for (ByteBuf b = channel.readOutbound(); b != null; b = channel.readOutbound()) {
      out.append(b.toString(StandardCharsets.ISO_8859_1));
      b.release();
    }
    return out.toString();
  }

  private static final String H = " HTTP/1.1\r\nHost: h\r\n";

  @Test
  void requestsBehindAnAwaitedOne_waitForIt_andAreAnsweredInOrder() {
    receive("GET /n/a/0" + H + "\r\n" + "PUT /n/b/0" + H + "Content-Length: 2\r\n\r\nxy");
    receive("DELETE /n/c/0" + H + "\r\n");
    assertThat(sent).hasSize(1); // only the first is asked until it is answered
    assertThat(written()).isEmpty();

    pending.remove().complete(new Reply.Item(1, null));
    assertThat(written()).startsWith("HTTP/1.1 404 Not Found\r\n").contains("no item at /n/a/0");
    assertThat(sent).hasSize(2);
    Message.Write put = (Message.Write) List.copyOf(sent).get(1);
    assertThat(new String(put.value(), StandardCharsets.US_ASCII)).isEqualTo("xy");
    assertThat(put.contentType()).isEqualTo(DataRoutes.OCTET_STREAM);

    pending.remove().complete(new Reply.Written(1, WriteResult.Outcome.CREATED, 0x2a));
    assertThat(written())
        .isEqualTo(
            "HTTP/1.1 201 Created\r\nlocation: /n/b/0\r\netag: \"2a\"\r\ncontent-length: 0\r\n\r\n");
    pending.remove().complete(new Reply.Written(1, WriteResult.Outcome.DELETED, 0x2b));
    assertThat(written()).isEqualTo("HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n");
    assertThat(sent).hasSize(3);
    assertThat(handedOver.readableBytes()).isZero();
  }

  @Test
  void aHandOver_waitsForTheAwaitedAnswer_andPassesOnExactlyTheUnservedBytes() {
    String listing = "GET /n/a" + H + "\r\n";
    String after = "GET /n/a/0" + H + "\r\n";
    receive("GET /n/a/0" + H + "\r\n" + listing.substring(0, 5));
    receive(listing.substring(5) + after);
    assertThat(handedOver.readableBytes()).isZero(); // the first is still awaited

    pending.remove().complete(new Reply.Item(1, null));
    assertThat(written()).startsWith("HTTP/1.1 404 Not Found\r\n");
    assertThat(handedOver.toString(StandardCharsets.ISO_8859_1)).isEqualTo(listing + after);
    assertThat(channel.pipeline().names()).doesNotContain(FastPath.NAME);

    receive("more");
    assertThat(handedOver.toString(StandardCharsets.ISO_8859_1)).endsWith(after + "more");
    assertThat(sent).hasSize(1);
  }

  @Test
  void aPutReadInTwoPartsOfOneBurst_isServed_whileABodyMissingAtTheBurstsEnd_goesToVertx() {
    String put = "PUT /n/b/0" + H + "Content-Length: 10\r\n\r\n0123456789";
    int cut = put.length() - 4;
    // Netty's read buffer adapts to the requests seen: after GETs a PUT comes in two reads
    channel.writeInbound(
        Unpooled.copiedBuffer(put.substring(0, cut), StandardCharsets.ISO_8859_1),
        Unpooled.copiedBuffer(put.substring(cut), StandardCharsets.ISO_8859_1));
    Message.Write w = (Message.Write) sent.remove();
    assertThat(new String(w.value(), StandardCharsets.US_ASCII)).isEqualTo("0123456789");
    pending.remove().complete(new Reply.Written(1, WriteResult.Outcome.UPDATED, 7));
    assertThat(written()).startsWith("HTTP/1.1 200 OK\r\netag: \"7\"");

    receive(put.substring(0, cut)); // one read, and the burst ends without the rest
    assertThat(sent).isEmpty();
    assertThat(channel.pipeline().names()).doesNotContain(FastPath.NAME);
    receive(put.substring(cut));
    assertThat(handedOver.toString(StandardCharsets.ISO_8859_1)).isEqualTo(put);
  }

  @Test
  void aRequestArrivingByteByByte_isServedOnceWhole() {
    String get = "GET /n/%C3%A9/0?read=any" + H + "Accept: */*\r\n\r\n";
    for (char c : get.toCharArray()) {
      assertThat(sent).isEmpty();
      receive(String.valueOf(c));
    }
    Message.Get m = (Message.Get) sent.remove();
    assertThat(m.key().key()).isEqualTo("é");
    assertThat(m.any()).isTrue();
    pending.remove().complete(new Reply.Item(1, null));
    assertThat(written()).startsWith("HTTP/1.1 404 ");
    assertThat(handedOver.readableBytes()).isZero();
  }
}
