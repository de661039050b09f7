package io.stored.engine;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The content types of an engine's items, each given a one-byte code on first use so a record does
 * not spell out {@code application/json} again and again. Up to 127 types get a code (a store sees
 * a handful in practice); any further type is spelled out in its records. Codes are never reused
 * while the engine lives; thread-safe.
 */
final class ContentTypes {
  private final ConcurrentHashMap<String, Integer> codes = new ConcurrentHashMap<>();
  private final AtomicReferenceArray<String> types =
      new AtomicReferenceArray<>(Records.INLINE_TYPE);
  private int next;

  /** The code of {@code type}, assigning one if there is room, else {@link Records#INLINE_TYPE}. */
  int code(String type) {
    Integer c = codes.get(type);
    if (c != null) {
      return c;
    }
    synchronized (this) {
      c = codes.get(type);
      if (c != null) {
        return c;
      }
      if (next == types.length()) {
        return Records.INLINE_TYPE;
      }
      types.set(next, type);
      codes.put(type, next);
      return next++;
    }
  }

  /** The content type of a record. */
  String of(byte[] record, boolean lru) {
    int c = Records.typeCode(record);
    if (c == Records.INLINE_TYPE) {
      return Records.inlineType(record, lru);
    }
    return types.get(c);
  }
}
