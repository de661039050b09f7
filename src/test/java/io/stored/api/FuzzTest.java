package io.stored.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.stored.testing.RawHttp;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URL;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Random and mutated requests over the whole HTTP surface, bounded in count and time: methods,
 * paths (percent-encodings valid and not, raw high octets, encoded slashes, overlong UTF-8, too
 * many or empty segments, oversized segments; raw whitespace is left out, as HTTP parsers differ on
 * where such a request line ends), query strings, headers (entity tags, content types, lengths) and
 * bodies. Every answer must be a non-5xx HTTP response; each acknowledged PUT or DELETE is applied
 * to a model decoded independently of the server; afterwards the store's content (every item, every
 * key's ids, every namespace's keys) must equal the model's. The seed is logged and can be fixed
 * with {@code -Dfuzz.seed=N}.
 */
@QuarkusTest
class FuzzTest {
  private static final Logger LOG = Logger.getLogger(FuzzTest.class);
  private static final int REQUESTS = Integer.getInteger("fuzz.requests", 10_000);
  private static final long MAX_MILLIS = Long.getLong("fuzz.millis", 30_000);
  private static final String[] NAMESPACES = {"fz1", "fz2", "fz.3", "fz_4"};
  private static final String[] METHODS = {
    "GET", "PUT", "DELETE", "HEAD", "OPTIONS", "POST", "PATCH", "TRACE", "get", "PUTX", "CONNECT"
  };
  private static final String[] SEGMENT_PIECES = {
    "a",
    "b",
    "k",
    "0",
    "1",
    "id",
    "%2F",
    "%2f",
    "%20",
    "+",
    "%",
    "%4",
    "%zz",
    "%C3%A9",
    "é",
    "\u00ff",
    "%C0%AF",
    "%ED%A0%80",
    "%F0%9F%98%80",
    "😀",
    "..",
    ".",
    "%00",
    "~",
    "*",
    "%25",
    "?",
    "#",
    ";",
    "=",
    "&",
    "\u0000"
  };
  private static final ObjectMapper JSON = new ObjectMapper();

  @TestHTTPResource("/")
  URL root;

  /** The model: namespace -> key (hex of UTF-8) -> id (hex) -> value. */
  private final Map<String, Map<String, Map<String, byte[]>>> model = new TreeMap<>();

  @Test
  void randomAndMutatedRequests_neverGet5xx_andTheStoreEqualsTheModel() throws Exception {
    long seed = Long.getLong("fuzz.seed", System.nanoTime());
    LOG.infof("fuzzing with seed %d (-Dfuzz.seed=%d repeats it)", seed, seed);
    Random random = new Random(seed);
    String base = root.toString().replaceAll("/$", "");
    long deadline = System.currentTimeMillis() + MAX_MILLIS;
    int sent = 0;
    int closedWithoutAnswer = 0;
    Map<Integer, Integer> statuses = new TreeMap<>();
    for (; sent < REQUESTS && System.currentTimeMillis() < deadline; sent++) {
      Request r = request(random);
      RawHttp.Response answer;
      try {
        answer = RawHttp.send(base, r.bytes());
      } catch (IOException | RuntimeException e) {
        // broken HTTP framing may be answered by closing the connection; never by dying
        closedWithoutAnswer++;
        continue;
      }
      statuses.merge(answer.status(), 1, Integer::sum);
      assertThat(answer.status()).as("seed %d, request %s", seed, r.describe()).isBetween(100, 499);
      apply(r, answer.status(), seed);
    }
    LOG.infof(
        "fuzz: %d requests, statuses %s, %d closed without an answer",
        sent, statuses, closedWithoutAnswer);
    assertThat(sent).isGreaterThan(100);
    assertThat(statuses.keySet())
        .as("both successes and refusals were exercised")
        .contains(200, 400);

    for (String ns : NAMESPACES) {
      compareNamespace(base, ns, seed);
    }
  }

  /** One request: what was sent and, when it addresses one item, the item as the model sees it. */
  private record Request(
      String method, byte[] target, byte[] body, String query, List<String> headers, Item item) {
    byte[] bytes() {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(method.getBytes(StandardCharsets.ISO_8859_1));
      out.write(' ');
      out.writeBytes(target);
      if (!query.isEmpty()) {
        out.writeBytes(("?" + query).getBytes(StandardCharsets.ISO_8859_1));
      }
      out.writeBytes(" HTTP/1.1\r\nHost: fuzz\r\nConnection: close\r\n".getBytes());
      for (String h : headers) {
        out.writeBytes((h + "\r\n").getBytes(StandardCharsets.UTF_8));
      }
      if (body != null) {
        out.writeBytes(("Content-Length: " + body.length + "\r\n").getBytes());
      }
      out.writeBytes("\r\n".getBytes());
      if (body != null) {
        out.writeBytes(body);
      }
      return out.toByteArray();
    }

    String describe() {
      return method
          + " "
          + new String(target, StandardCharsets.ISO_8859_1)
          + (query.isEmpty() ? "" : "?" + query)
          + " "
          + headers
          + (body == null ? "" : " body " + body.length + " bytes");
    }
  }

  /** A decoded address: namespace, key and id as hex of their UTF-8 (id null: the whole key). */
  private record Item(String ns, String key, String id) {}

  private Request request(Random random) {
    String method = METHODS[random.nextInt(METHODS.length)];
    if (random.nextInt(3) > 0) {
      method = random.nextBoolean() ? "PUT" : random.nextBoolean() ? "GET" : "DELETE";
    }
    byte[] target = target(random);
    String query = "";
    switch (random.nextInt(10)) {
      case 0 -> query = "ttl=" + (100_000 + random.nextInt(1000));
      case 1 -> query = "ttl=" + List.of("0", "-1", "x", "99999999999", "").get(random.nextInt(5));
      case 2 ->
          query =
              List.of("tll=5", "limit=2", "limit=0", "after=a", "read=any", "%zz", "a&a")
                  .get(random.nextInt(7));
      default -> {}
    }
    List<String> headers = new ArrayList<>();
    if (random.nextInt(4) == 0) {
      headers.add(
          List.of(
                  "If-Match: *",
                  "If-Match: \"1\"",
                  "If-Match: junk",
                  "If-None-Match: *",
                  "If-None-Match: \"x\"",
                  "If-Match: W/\"1\"",
                  "If-Match: \"")
              .get(random.nextInt(7)));
    }
    if (random.nextInt(4) == 0) {
      headers.add(
          List.of(
                  "Content-Type: text/plain",
                  "Content-Type: ",
                  "Content-Type: a/b; charset=\u00ff",
                  "Content-Type: " + "x".repeat(300),
                  "Accept: */*",
                  "Authorization: Bearer nope",
                  "X-Junk: \u0001")
              .get(random.nextInt(7)));
    }
    byte[] body = null;
    if (method.equals("PUT") || random.nextInt(8) == 0) {
      body = new byte[random.nextInt(4) == 0 ? random.nextInt(5000) : random.nextInt(40)];
      random.nextBytes(body);
    }
    return new Request(method, target, body, query, headers, decode(target));
  }

  /** A path: mostly plausible items over a small pool (so requests collide), else mutations. */
  private static byte[] target(Random random) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int segments = random.nextInt(10) == 0 ? random.nextInt(6) : random.nextInt(30) == 0 ? 2 : 3;
    if (segments == 0) {
      return "/".getBytes();
    }
    for (int s = 0; s < segments; s++) {
      out.write('/');
      if (s == 0) {
        String ns =
            random.nextInt(20) == 0 ? "bad ns!" : NAMESPACES[random.nextInt(NAMESPACES.length)];
        out.writeBytes(ns.getBytes(StandardCharsets.UTF_8));
        continue;
      }
      int pieces = random.nextInt(30) == 0 ? 0 : 1 + random.nextInt(2);
      if (random.nextInt(40) == 0) {
        out.writeBytes("x".repeat(600).getBytes());
      }
      for (int p = 0; p < pieces; p++) {
        String piece =
            random.nextInt(3) == 0
                ? SEGMENT_PIECES[random.nextInt(SEGMENT_PIECES.length)]
                : SEGMENT_PIECES[random.nextInt(6)];
        out.writeBytes(piece.getBytes(StandardCharsets.UTF_8));
      }
    }
    return out.toByteArray();
  }

  /**
   * The item a target addresses, decoded as the API contract says (split on raw '/', then each
   * segment percent-decoded once, valid UTF-8, namespace [A-Za-z0-9._-]{1,64}, key up to 512 and id
   * up to 256 bytes); null when the target is not a well-formed item path.
   */
  private static Item decode(byte[] target) {
    String raw = new String(target, StandardCharsets.ISO_8859_1);
    if (raw.indexOf('?') >= 0) {
      raw = raw.substring(0, raw.indexOf('?')); // the rest is the query
    }
    if (!raw.startsWith("/")) {
      return null;
    }
    String[] parts = raw.substring(1).split("/", -1);
    if (parts.length < 2 || parts.length > 3) {
      return null;
    }
    byte[][] decoded = new byte[parts.length][];
    for (int i = 0; i < parts.length; i++) {
      decoded[i] = percentDecode(parts[i]);
      if (decoded[i] == null || decoded[i].length == 0) {
        return null;
      }
    }
    String ns = new String(decoded[0], StandardCharsets.UTF_8);
    if (!ns.matches("[A-Za-z0-9._-]{1,64}")
        || decoded[1].length > 512
        || (parts.length == 3 && decoded[2].length > 256)) {
      return null;
    }
    HexFormat hex = HexFormat.of();
    return new Item(
        ns, hex.formatHex(decoded[1]), parts.length == 3 ? hex.formatHex(decoded[2]) : null);
  }

  private static byte[] percentDecode(String segment) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < segment.length(); i++) {
      char c = segment.charAt(i);
      if (c == '%') {
        if (i + 2 >= segment.length()) {
          return null;
        }
        int hi = Character.digit(segment.charAt(i + 1), 16);
        int lo = Character.digit(segment.charAt(i + 2), 16);
        if (hi < 0 || lo < 0) {
          return null;
        }
        out.write(hi * 16 + lo);
        i += 2;
      } else {
        out.write(c);
      }
    }
    byte[] bytes = out.toByteArray();
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
    } catch (CharacterCodingException e) {
      return null;
    }
    return bytes;
  }

  /** Applies an acknowledged write to the model; checks that only well-formed items succeed. */
  private void apply(Request r, int status, long seed) {
    boolean write = r.method().equals("PUT") || r.method().equals("DELETE");
    if (!write || status >= 300) {
      return;
    }
    assertThat(r.item())
        .as(
            "seed %d: %s succeeded (%d) but is not a well-formed item path",
            seed, r.describe(), status)
        .isNotNull();
    Map<String, byte[]> ids =
        model
            .computeIfAbsent(r.item().ns(), n -> new TreeMap<>())
            .computeIfAbsent(r.item().key(), k -> new TreeMap<>());
    if (r.method().equals("PUT")) {
      assertThat(r.item().id())
          .as("seed %d: PUT on a key succeeded: %s", seed, r.describe())
          .isNotNull();
      ids.put(r.item().id(), r.body() == null ? new byte[0] : r.body());
    } else if (r.item().id() == null) {
      ids.clear();
    } else {
      ids.remove(r.item().id());
    }
  }

  /** The namespace's keys, each key's ids and each item's value equal the model's. */
  private void compareNamespace(String base, String ns, long seed) throws Exception {
    Map<String, Map<String, byte[]>> keys = model.getOrDefault(ns, Map.of());
    Set<String> expectedKeys = new TreeSet<>();
    keys.forEach(
        (k, ids) -> {
          if (!ids.isEmpty()) {
            expectedKeys.add(k);
          }
        });
    assertThat(listAll(base, "/" + ns, "keys"))
        .as("seed %d: keys of %s", seed, ns)
        .isEqualTo(expectedKeys);
    for (String key : expectedKeys) {
      Map<String, byte[]> ids = keys.get(key);
      assertThat(listAll(base, "/" + ns + "/" + encode(key), "ids"))
          .as("seed %d: ids of %s/%s", seed, ns, key)
          .isEqualTo(ids.keySet());
      for (Map.Entry<String, byte[]> e : ids.entrySet()) {
        RawHttp.Response got =
            RawHttp.send(base, "GET", "/" + ns + "/" + encode(key) + "/" + encode(e.getKey()));
        assertThat(got.status())
            .as("seed %d: GET %s/%s/%s", seed, ns, key, e.getKey())
            .isEqualTo(200);
        assertThat(got.body())
            .as("seed %d: value of %s/%s/%s", seed, ns, key, e.getKey())
            .isEqualTo(e.getValue());
      }
    }
  }

  /** Every entry of a paged listing, as hex of the UTF-8 of each name. */
  private static Set<String> listAll(String base, String path, String field) throws IOException {
    Set<String> out = new TreeSet<>();
    String after = null;
    do {
      String target = path + "?limit=1000" + (after == null ? "" : "&after=" + encodeText(after));
      RawHttp.Response page = RawHttp.send(base, "GET", target);
      assertThat(page.status()).as("GET %s", target).isEqualTo(200);
      JsonNode json = JSON.readTree(page.body());
      json.get(field)
          .forEach(
              n -> out.add(HexFormat.of().formatHex(n.asText().getBytes(StandardCharsets.UTF_8))));
      after = json.get("next").isNull() ? null : json.get("next").asText();
    } while (after != null);
    return out;
  }

  /** Percent-encodes every byte of a name given as hex of its UTF-8. */
  private static String encode(String hex) {
    StringBuilder b = new StringBuilder();
    for (byte x : HexFormat.of().parseHex(hex)) {
      b.append('%').append(HexFormat.of().withUpperCase().toHexDigits(x));
    }
    return b.toString();
  }

  private static String encodeText(String text) {
    return encode(HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_8)));
  }
}
