package io.stored.replication;

/**
 * A write or transfer could not complete in the current epoch (not primary, a backup refused or did
 * not answer, the ring moved). Retryable once the ring has settled: the endpoint answers 503 with
 * Retry-After after its own bounded retries.
 */
public final class ReplicationException extends RuntimeException {
  public ReplicationException(String message) {
    super(message, null, false, false);
  }

  public ReplicationException(String message, Throwable cause) {
    super(message, cause, false, false);
  }
}
