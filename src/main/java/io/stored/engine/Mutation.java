package io.stored.engine;

/**
 * One write as its partition's primary ordered it: what backups apply and what state transfer
 * streams. A delete has a null value. Applying is idempotent and order-insensitive per item: a
 * mutation takes effect only if its version is higher than what the replica has for that item
 * (entry or tombstone), so duplicates, replays and a snapshot chunk that arrives after a newer
 * write are all harmless.
 *
 * @param key the item
 * @param value the new value, or null for a delete
 * @param contentType the content type (null for a delete)
 * @param version the version the primary assigned
 * @param expiresAt expiry deadline in epoch ms, 0 for none
 */
public record Mutation(
    ItemKey key, byte[] value, String contentType, long version, long expiresAt) {

  public boolean isDelete() {
    return value == null;
  }

  static Mutation delete(ItemKey key, long version) {
    return new Mutation(key, null, null, version, 0);
  }
}
