package io.stored.transport;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The secret every node of one cluster shares, and the handshake that proves it on each new
 * internal-transport connection before any message flows. Mutual challenge-response with
 * HMAC-SHA256, so the secret never crosses the wire and a recorded handshake cannot be replayed:
 *
 * <pre>
 * server -> client  challenge: "STORED1C" nonceS(32)
 * client -> server  proof:     "STORED1P" nonceC(32) HMAC(key, "client" nonceS nonceC)
 * server -> client  proof:     "STORED1S" HMAC(key, "server" nonceC nonceS)
 * </pre>
 *
 * Each step is one transport frame (4-byte length first). A peer that answers wrongly, or not
 * within {@link #HANDSHAKE_MILLIS}, is disconnected. Without a configured secret the handshake
 * still runs with {@link #NONE}'s well-known key: it then only tells Stored peers from other
 * software, which is why a cluster should always have a secret.
 */
public final class ClusterKey {
  /** No secret configured: a fixed, public key. */
  public static final ClusterKey NONE =
      new ClusterKey("stored-no-cluster-secret".getBytes(StandardCharsets.UTF_8), false);

  /** Shortest secret accepted: 16 bytes, 128 bits when random. */
  public static final int MIN_LENGTH = 16;

  static final long HANDSHAKE_MILLIS = 5000;
  private static final int NONCE = 32;
  private static final int MAC = 32;
  private static final byte[] CHALLENGE = ascii("STORED1C");
  private static final byte[] CLIENT_PROOF = ascii("STORED1P");
  private static final byte[] SERVER_PROOF = ascii("STORED1S");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final byte[] key;
  private final boolean secret;

  private ClusterKey(byte[] key, boolean secret) {
    this.key = key;
    this.secret = secret;
  }

  /** The key from a configured secret (at least {@link #MIN_LENGTH} bytes of UTF-8). */
  public static ClusterKey of(String secret) {
    byte[] bytes = secret.trim().getBytes(StandardCharsets.UTF_8);
    if (bytes.length < MIN_LENGTH) {
      throw new IllegalArgumentException(
          "the cluster secret must be at least " + MIN_LENGTH + " bytes long");
    }
    return new ClusterKey(bytes, true);
  }

  /** Whether a secret was configured (else anyone speaking the protocol is let in). */
  public boolean isSecret() {
    return secret;
  }

  /** A random secret, printable (for the operator to put in a new Secret). */
  public static String randomSecret() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return java.util.Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  @Override
  public String toString() {
    return secret ? "ClusterKey[secret]" : "ClusterKey[none]";
  }

  /**
   * The server's side: sends the challenge, then checks the client's proof. The returned handler
   * takes the first frames of the connection; it completes {@code authenticated} (after answering
   * with the server's proof) or closes the socket.
   */
  io.vertx.core.Handler<Buffer> serve(Vertx vertx, NetSocket socket, Promise<Void> authenticated) {
    byte[] nonceS = nonce();
    socket.write(frame(CHALLENGE, nonceS));
    long timer =
        vertx.setTimer(
            HANDSHAKE_MILLIS,
            t -> {
              if (authenticated.tryFail("no handshake within " + HANDSHAKE_MILLIS + " ms")) {
                socket.close();
              }
            });
    return frame -> {
      vertx.cancelTimer(timer);
      byte[] f = frame.getBytes();
      byte[] nonceC = part(f, CLIENT_PROOF, 0, NONCE);
      byte[] proof = part(f, CLIENT_PROOF, NONCE, MAC);
      if (nonceC == null
          || proof == null
          || f.length != CLIENT_PROOF.length + NONCE + MAC
          || !MessageDigest.isEqual(proof, mac("client", nonceS, nonceC))) {
        authenticated.tryFail("the peer does not know the cluster secret");
        socket.close();
        return;
      }
      socket.write(frame(SERVER_PROOF, mac("server", nonceC, nonceS)));
      authenticated.tryComplete();
    };
  }

  /** The client's side: answers the challenge and checks the server's proof. */
  Future<NetSocket> connect(Vertx vertx, NetSocket socket) {
    Promise<NetSocket> done = Promise.promise();
    long timer =
        vertx.setTimer(
            HANDSHAKE_MILLIS,
            t -> {
              if (done.tryFail("no handshake from the server within " + HANDSHAKE_MILLIS + " ms")) {
                socket.close();
              }
            });
    byte[] nonceC = nonce();
    byte[][] nonceS = new byte[1][];
    PeerServer.frames(
        socket,
        frame -> {
          byte[] f = frame.getBytes();
          if (nonceS[0] == null) {
            nonceS[0] = part(f, CHALLENGE, 0, NONCE);
            if (nonceS[0] == null) {
              fail(socket, done, timer, vertx, "the server did not send a Stored challenge");
              return;
            }
            socket.write(frame(CLIENT_PROOF, nonceC, mac("client", nonceS[0], nonceC)));
            return;
          }
          byte[] proof = part(f, SERVER_PROOF, 0, MAC);
          if (proof == null || !MessageDigest.isEqual(proof, mac("server", nonceC, nonceS[0]))) {
            fail(socket, done, timer, vertx, "the server does not know the cluster secret");
            return;
          }
          vertx.cancelTimer(timer);
          done.tryComplete(socket);
        });
    socket.closeHandler(
        v -> {
          vertx.cancelTimer(timer);
          done.tryFail(
              "the server closed the connection during the handshake (wrong cluster secret?)");
        });
    return done.future();
  }

  private static void fail(
      NetSocket socket, Promise<NetSocket> done, long timer, Vertx vertx, String why) {
    vertx.cancelTimer(timer);
    done.tryFail(why);
    socket.close();
  }

  private byte[] mac(String side, byte[] first, byte[] second) {
    try {
      Mac m = Mac.getInstance("HmacSHA256");
      m.init(new SecretKeySpec(key, "HmacSHA256"));
      m.update(ascii(side));
      m.update(first);
      m.update(second);
      return m.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }

  /** {@code length} bytes at {@code offset} after {@code tag}, or null when the tag differs. */
  private static byte[] part(byte[] frame, byte[] tag, int offset, int length) {
    if (frame.length < tag.length + offset + length
        || !Arrays.equals(frame, 0, tag.length, tag, 0, tag.length)) {
      return null;
    }
    return Arrays.copyOfRange(frame, tag.length + offset, tag.length + offset + length);
  }

  private static Buffer frame(byte[]... parts) {
    int length = 0;
    for (byte[] p : parts) {
      length += p.length;
    }
    Buffer b = Buffer.buffer(4 + length).appendInt(length);
    for (byte[] p : parts) {
      b.appendBytes(p);
    }
    return b;
  }

  private static byte[] nonce() {
    byte[] n = new byte[NONCE];
    RANDOM.nextBytes(n);
    return n;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }
}
