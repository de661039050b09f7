package io.stored.api;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits of the data API. */
@ConfigMapping(prefix = "stored.api")
public interface ApiConfig {
  /** Largest value accepted by PUT (413 above it); at most 64M. */
  @WithDefault("1M")
  MemorySize maxValueSize();

  /** Longest key, in bytes of UTF-8 after percent-decoding (400 above it). */
  @WithDefault("512")
  int maxKeySize();

  /** Longest id, in bytes of UTF-8 after percent-decoding (400 above it). */
  @WithDefault("256")
  int maxIdSize();

  /**
   * Longest a PUT may take to send its body once its headers arrived; a slower client gets 408 and
   * its connection is closed, so a trickled body cannot pin a connection and its buffer.
   */
  @WithDefault("30s")
  java.time.Duration bodyTimeout();

  /**
   * Whether plain HTTP/1.1 item requests (GET, HEAD, PUT, DELETE) are answered straight from the
   * connection's bytes, without Vert.x's HTTP layers (FastPath); the first other request hands its
   * connection to Vert.x.
   */
  @WithDefault("true")
  boolean fastPath();

  /**
   * How the HTTP port gives a new connection an event loop: {@code incoming-cpu} (the loop paired
   * with the CPU that received its packets, within a bound of the least busy loop, and a connection
   * whose client thread moved to another loop's CPU asked to reconnect there; see LoopPlacement) or
   * {@code round-robin} (Vert.x's own dealing). Applies with the fast path on.
   */
  @WithDefault("incoming-cpu")
  ConnectionPlacement connectionPlacement();

  /** Values of {@link #connectionPlacement()}. */
  enum ConnectionPlacement {
    INCOMING_CPU,
    ROUND_ROBIN
  }

  /** Page size of listings when the request gives no {@code limit}. */
  @WithDefault("1000")
  int listLimit();

  /** Largest {@code limit} a listing accepts (400 above it). */
  @WithDefault("10000")
  int maxListLimit();
}
