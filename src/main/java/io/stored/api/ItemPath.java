package io.stored.api;

import io.stored.engine.ItemKey;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A parsed and validated data-API path {@code /{namespace}[/{key}[/{id}]]}.
 *
 * <p>Each segment is split on raw {@code /} and then percent-decoded exactly once, so an encoded
 * slash ({@code %2F}) is part of a key or id. Decoded segments must be valid UTF-8; octets above
 * 0x7F sent unencoded are taken as UTF-8 bytes too. Rules (each a 400): no empty segment, at most
 * three segments, every {@code %} followed by two hex digits, namespace {@code
 * [A-Za-z0-9._-]{1,64}}, key and id no longer than the configured limits.
 *
 * @param namespace UTF-8 bytes of the namespace
 * @param key UTF-8 bytes of the key, or null for {@code /{namespace}}
 * @param id UTF-8 bytes of the id, or null for {@code /{namespace}/{key}} and shorter
 */
public record ItemPath(byte[] namespace, byte[] key, byte[] id) {
  static final int MAX_NAMESPACE = 64;

  /** 1, 2 or 3: how many segments the path has. */
  public int depth() {
    return key == null ? 1 : id == null ? 2 : 3;
  }

  /** The item address; only for depth 3. */
  public ItemKey itemKey() {
    return ItemKey.of(namespace, key, id);
  }

  /** The address of the key's first id; for depth 2 and 3. */
  public ItemKey firstOfKey() {
    return ItemKey.firstOf(namespace, key);
  }

  /**
   * The canonical path of an item, for Location: every byte of the UTF-8 of each segment outside
   * RFC 3986's unreserved characters percent-encoded, so it is a valid header whatever octets the
   * request's path carried (never the raw request path).
   */
  public static String location(ItemKey item) {
    StringBuilder b = new StringBuilder();
    for (String segment : new String[] {item.namespace(), item.key(), item.id()}) {
      b.append('/');
      for (byte x : segment.getBytes(StandardCharsets.UTF_8)) {
        int c = x & 0xff;
        if ((c >= 'A' && c <= 'Z')
            || (c >= 'a' && c <= 'z')
            || (c >= '0' && c <= '9')
            || c == '-'
            || c == '.'
            || c == '_'
            || c == '~') {
          b.append((char) c);
        } else {
          b.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
        }
      }
    }
    return b.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /**
   * The segments' names in error messages, made once: built on every call they were about 140 of
   * the 1,020 bytes a GET allocated (bench/README.md, 2026-11-29 early morning).
   */
  private static final String[] SEGMENT_NAMES = {
    "path segment 1", "path segment 2", "path segment 3"
  };

  /** Parses a raw (still percent-encoded) path. */
  public static ItemPath parse(String raw, int maxKey, int maxId) {
    if (raw == null || raw.isEmpty() || raw.charAt(0) != '/') {
      throw ApiException.badRequest("the path must start with /");
    }
    if (raw.length() == 1) {
      throw ApiException.badRequest(
          "the path must be /{namespace}, /{namespace}/{key} or /{namespace}/{key}/{id}");
    }
    byte[][] segments = new byte[3][];
    int n = 0;
    int start = 1;
    while (true) {
      int slash = raw.indexOf('/', start);
      int end = slash < 0 ? raw.length() : slash;
      if (end == start) {
        throw ApiException.badRequest("the path has an empty segment");
      }
      if (n == 3) {
        throw ApiException.badRequest(
            "the path has more than 3 segments (/{namespace}/{key}/{id}); "
                + "encode a / inside a key or id as %2F");
      }
      segments[n] = decode(raw, start, end, false, SEGMENT_NAMES[n]);
      n++;
      if (slash < 0) {
        break;
      }
      start = slash + 1;
    }
    byte[] ns = segments[0];
    checkNamespace(ns);
    if (segments[1] != null && segments[1].length > maxKey) {
      throw ApiException.badRequest(
          "the key is "
              + segments[1].length
              + " bytes of UTF-8; the limit is "
              + maxKey
              + " (stored.api.max-key-size)");
    }
    if (segments[2] != null && segments[2].length > maxId) {
      throw ApiException.badRequest(
          "the id is "
              + segments[2].length
              + " bytes of UTF-8; the limit is "
              + maxId
              + " (stored.api.max-id-size)");
    }
    return new ItemPath(ns, segments[1], segments[2]);
  }

  static void checkNamespace(byte[] ns) {
    boolean ok = ns.length >= 1 && ns.length <= MAX_NAMESPACE;
    for (int i = 0; ok && i < ns.length; i++) {
      ok = namespaceByte(ns[i]);
    }
    if (!ok) {
      throw ApiException.badRequest("the namespace must be 1 to 64 characters of [A-Za-z0-9._-]");
    }
  }

  /** A byte a namespace may have: {@code [A-Za-z0-9._-]}. */
  static boolean namespaceByte(byte b) {
    return (b >= 'a' && b <= 'z')
        || (b >= 'A' && b <= 'Z')
        || (b >= '0' && b <= '9')
        || b == '.'
        || b == '_'
        || b == '-';
  }

  /**
   * Percent-decodes {@code s[from, to)} into bytes and checks they are UTF-8.
   *
   * @param plusIsSpace whether {@code +} means a space (query strings), not itself (paths)
   * @param what names the part in error messages
   */
  static byte[] decode(String s, int from, int to, boolean plusIsSpace, String what) {
    byte[] out = new byte[to - from];
    int n = 0;
    boolean ascii = true;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      int b;
      if (c == '%') {
        int hi = i + 2 < to ? Character.digit(s.charAt(i + 1), 16) : -1;
        int lo = i + 2 < to ? Character.digit(s.charAt(i + 2), 16) : -1;
        if (hi < 0 || lo < 0) {
          throw ApiException.badRequest(what + " has a % not followed by two hex digits");
        }
        b = (hi << 4) | lo;
        i += 2;
      } else if (c == '+' && plusIsSpace) {
        b = ' ';
      } else if (c > 0xFF) {
        throw ApiException.badRequest(what + " has a character that is not an octet");
      } else {
        b = c;
      }
      ascii &= b < 0x80;
      out[n++] = (byte) b;
    }
    byte[] bytes = n == out.length ? out : java.util.Arrays.copyOf(out, n);
    if (!ascii && !isUtf8(bytes)) {
      throw ApiException.badRequest(what + " is not valid UTF-8 after percent-decoding");
    }
    return bytes;
  }

  static boolean isUtf8(byte[] bytes) {
    try {
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes));
      return true;
    } catch (CharacterCodingException e) {
      return false;
    }
  }
}
