package io.stored.api;

import io.stored.engine.Precondition;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import java.util.List;

/**
 * Entity tags: an item's ETag is its version in hex, quoted ({@code "18c3f0a2b1000"}), and the
 * conditional headers are parsed into an engine {@link Precondition}. Tags the store did not issue
 * never match; {@code If-Match} compares strongly (a weak tag never matches) and {@code
 * If-None-Match} weakly, as RFC 9110 section 13.1 asks. A header that is not a list of quoted tags
 * (or {@code *}) is a 400.
 */
final class EntityTags {
  private EntityTags() {}

  static String format(long version) {
    return "\"" + Long.toHexString(version) + "\"";
  }

  static boolean present(MultiMap headers) {
    return headers.contains(HttpHeaders.IF_MATCH) || headers.contains(HttpHeaders.IF_NONE_MATCH);
  }

  /**
   * The conditions of a request's headers; {@link Precondition#NONE} (no allocation) without any.
   */
  static Precondition precondition(MultiMap headers) {
    if (!present(headers)) {
      return Precondition.NONE;
    }
    return precondition(
        joined(headers.getAll(HttpHeaders.IF_MATCH)),
        joined(headers.getAll(HttpHeaders.IF_NONE_MATCH)));
  }

  /**
   * The conditions of an If-Match and an If-None-Match value (each null when absent; several
   * headers of one name joined with commas).
   */
  static Precondition precondition(String ifMatch, String ifNoneMatch) {
    if (ifMatch == null && ifNoneMatch == null) {
      return Precondition.NONE;
    }
    boolean matchAny = "*".equals(ifMatch);
    boolean noneMatchAny = "*".equals(ifNoneMatch);
    long[] match = ifMatch == null || matchAny ? null : parse(ifMatch, true, "If-Match");
    long[] noneMatch =
        ifNoneMatch == null || noneMatchAny ? null : parse(ifNoneMatch, false, "If-None-Match");
    return new Precondition(match, matchAny, noneMatch, noneMatchAny);
  }

  private static String joined(List<String> values) {
    return values.isEmpty() ? null : String.join(",", values).trim();
  }

  private static long[] parse(String value, boolean strong, String header) {
    long[] out = new long[4];
    int n = 0;
    int i = 0;
    int len = value.length();
    while (true) {
      while (i < len
          && (value.charAt(i) == ' ' || value.charAt(i) == '\t' || value.charAt(i) == ',')) {
        i++;
      }
      if (i >= len) {
        break;
      }
      boolean weak = value.startsWith("W/", i);
      if (weak) {
        i += 2;
      }
      int close = i < len && value.charAt(i) == '"' ? value.indexOf('"', i + 1) : -1;
      if (close < 0) {
        throw ApiException.badRequest(
            header + " must be * or a list of quoted entity tags, was: " + value);
      }
      if (n == out.length) {
        out = java.util.Arrays.copyOf(out, n * 2);
      }
      out[n++] = weak && strong ? -1 : versionOf(value, i + 1, close);
      i = close + 1;
    }
    if (n == 0) {
      throw ApiException.badRequest(
          header + " must be * or a list of quoted entity tags, was empty");
    }
    return java.util.Arrays.copyOf(out, n);
  }

  /** The version a tag names, or -1 for a tag this store did not issue. */
  private static long versionOf(String s, int from, int to) {
    if (to == from || to - from > 16) {
      return -1;
    }
    long v = 0;
    for (int i = from; i < to; i++) {
      int d = Character.digit(s.charAt(i), 16);
      if (d < 0 || Character.isUpperCase(s.charAt(i))) {
        return -1;
      }
      v = (v << 4) | d;
    }
    return v;
  }
}
