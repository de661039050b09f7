package io.stored.engine;

/**
 * What a write did.
 *
 * @param outcome the outcome
 * @param entry the new entry after a put, the removed entry after a delete, otherwise null
 * @param mutation the change to replicate to backups, or null when nothing changed
 */
public record WriteResult(Outcome outcome, Entry entry, Mutation mutation) {

  /** Outcomes of a write; the endpoint maps each to one HTTP status. */
  public enum Outcome {
    CREATED,
    UPDATED,
    DELETED,
    NOT_FOUND,
    PRECONDITION_FAILED,
    /** The memory limit is reached and eviction cannot (or may not) make room. */
    INSUFFICIENT_STORAGE
  }

  static final WriteResult NOT_FOUND = new WriteResult(Outcome.NOT_FOUND, null, null);
  static final WriteResult PRECONDITION_FAILED =
      new WriteResult(Outcome.PRECONDITION_FAILED, null, null);
  static final WriteResult INSUFFICIENT_STORAGE =
      new WriteResult(Outcome.INSUFFICIENT_STORAGE, null, null);
}
