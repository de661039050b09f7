package io.stored.engine;

/** What a replica did with one of its primary's mutations ({@link StoreEngine#apply}). */
public enum Applied {
  /** The mutation was newer than what the replica held for the item; it is now applied. */
  APPLIED,

  /** The replica already held this version of the item or a newer one (a duplicate, a replay). */
  SUPERSEDED,

  /**
   * The mutation writes an item the replica holds nothing of, and is older than a delete whose
   * tombstone the replica has since forgotten ({@link StoreEngine#forgetTombstones}): that delete
   * may have been of this very item, so applying the write could bring a deleted item back. Only a
   * message delayed for longer than the tombstones' grace can be refused.
   */
  REFUSED
}
