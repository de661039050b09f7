package io.stored.node;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Shape of the hash ring. */
@ConfigMapping(prefix = "stored.ring")
public interface RingConfig {
  /**
   * Number of partitions Q; {@code partition = hash(namespace, key) mod Q}. Fixed for the life of a
   * cluster (changing it moves every item). Between 1 and 65536.
   */
  @WithDefault("1024")
  int partitions();

  /** Copies of each partition (primary plus backups), capped at the number of stores. */
  @WithDefault("2")
  int replicationFactor();
}
