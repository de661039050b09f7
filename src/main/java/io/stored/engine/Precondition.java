package io.stored.engine;

/**
 * HTTP conditional-request semantics (RFC 9110 section 13) over entry versions. A {@code null}
 * array with {@code any == false} means the header was absent. Versions that could not be parsed
 * from a client's entity tag are passed as {@code -1}, which never matches.
 *
 * @param ifMatch versions listed in {@code If-Match}, or null
 * @param ifMatchAny {@code If-Match: *}
 * @param ifNoneMatch versions listed in {@code If-None-Match}, or null
 * @param ifNoneMatchAny {@code If-None-Match: *}
 */
public record Precondition(
    long[] ifMatch, boolean ifMatchAny, long[] ifNoneMatch, boolean ifNoneMatchAny) {

  /** No conditions. */
  public static final Precondition NONE = new Precondition(null, false, null, false);

  /** The outcome of evaluating the conditions against the current entry. */
  public enum Result {
    PASS,
    /** {@code If-Match} does not hold: always 412. */
    IF_MATCH_FAILED,
    /** {@code If-None-Match} does not hold: 304 for GET/HEAD, 412 otherwise. */
    IF_NONE_MATCH_FAILED
  }

  public boolean isNone() {
    return ifMatch == null && !ifMatchAny && ifNoneMatch == null && !ifNoneMatchAny;
  }

  /** Evaluates against {@code current} (null when the item does not exist), If-Match first. */
  public Result evaluate(Entry current) {
    return evaluate(current != null, current == null ? 0 : current.version());
  }

  /** Evaluates against an item that {@code exists} with {@code version}, If-Match first. */
  public Result evaluate(boolean exists, long version) {
    if (ifMatchAny && !exists) {
      return Result.IF_MATCH_FAILED;
    }
    if (ifMatch != null && (!exists || !contains(ifMatch, version))) {
      return Result.IF_MATCH_FAILED;
    }
    if (ifNoneMatchAny && exists) {
      return Result.IF_NONE_MATCH_FAILED;
    }
    if (ifNoneMatch != null && exists && contains(ifNoneMatch, version)) {
      return Result.IF_NONE_MATCH_FAILED;
    }
    return Result.PASS;
  }

  private static boolean contains(long[] versions, long v) {
    for (long x : versions) {
      if (x == v) {
        return true;
      }
    }
    return false;
  }
}
