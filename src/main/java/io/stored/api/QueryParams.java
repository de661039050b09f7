package io.stored.api;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The query string of a data-API request, decoded strictly: every parameter must be one the
 * operation knows and appear once, and every value must decode to UTF-8 (a typo such as {@code
 * ?tll=60} is a 400, not a silently ignored parameter).
 */
final class QueryParams {
  private static final QueryParams EMPTY = new QueryParams(Map.of());

  /** The longest ttl: 68 years, so deadlines never overflow. */
  static final long MAX_TTL_SECONDS = Integer.MAX_VALUE;

  private final Map<String, String> values;

  private QueryParams(Map<String, String> values) {
    this.values = values;
  }

  static QueryParams parse(String raw, Set<String> allowed) {
    if (raw == null || raw.isEmpty()) {
      return EMPTY;
    }
    Map<String, String> values = new HashMap<>();
    int start = 0;
    while (start <= raw.length()) {
      int amp = raw.indexOf('&', start);
      int end = amp < 0 ? raw.length() : amp;
      if (end > start) {
        int eq = raw.indexOf('=', start);
        int nameEnd = eq < 0 || eq > end ? end : eq;
        String name = utf8(ItemPath.decode(raw, start, nameEnd, true, "a query parameter name"));
        if (!allowed.contains(name)) {
          throw ApiException.badRequest(
              "unknown query parameter '"
                  + name
                  + "'"
                  + (allowed.isEmpty()
                      ? "; this request takes none"
                      : "; allowed: " + String.join(", ", allowed)));
        }
        String value =
            nameEnd == end
                ? ""
                : utf8(ItemPath.decode(raw, nameEnd + 1, end, true, "query parameter " + name));
        if (values.put(name, value) != null) {
          throw ApiException.badRequest("query parameter '" + name + "' is given more than once");
        }
      }
      if (amp < 0) {
        break;
      }
      start = amp + 1;
    }
    return new QueryParams(values);
  }

  String get(String name) {
    return values.get(name);
  }

  /** {@code ttl} in milliseconds, 0 when absent; 1 to 2^31-1 whole seconds. */
  long ttlMillis() {
    String v = values.get("ttl");
    if (v == null) {
      return 0;
    }
    long s = parseLong(v, "ttl");
    if (s < 1 || s > MAX_TTL_SECONDS) {
      throw ApiException.badRequest(
          "ttl must be a whole number of seconds from 1 to " + MAX_TTL_SECONDS + ", was " + v);
    }
    return s * 1000;
  }

  /** {@code limit}, or {@code defaultLimit} when absent; 1 to {@code max}. */
  int limit(int defaultLimit, int max) {
    String v = values.get("limit");
    if (v == null) {
      return defaultLimit;
    }
    long l = parseLong(v, "limit");
    if (l < 1 || l > max) {
      throw ApiException.badRequest("limit must be a whole number from 1 to " + max + ", was " + v);
    }
    return (int) l;
  }

  /** UTF-8 bytes of {@code after}, or null when absent. */
  byte[] after() {
    String v = values.get("after");
    return v == null ? null : v.getBytes(StandardCharsets.UTF_8);
  }

  private static long parseLong(String v, String name) {
    if (v.isEmpty() || v.length() > 18) {
      throw ApiException.badRequest(name + " must be a whole number, was '" + v + "'");
    }
    long r = 0;
    for (int i = 0; i < v.length(); i++) {
      char c = v.charAt(i);
      if (c < '0' || c > '9') {
        throw ApiException.badRequest(name + " must be a whole number, was '" + v + "'");
      }
      r = r * 10 + (c - '0');
    }
    return r;
  }

  private static String utf8(byte[] b) {
    return new String(b, StandardCharsets.UTF_8);
  }
}
