package io.stored.store;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.stored.engine.Eviction;
import java.time.Duration;
import java.util.Optional;

/** The store role's memory and expiry settings. */
@ConfigMapping(prefix = "stored.store")
public interface StoreConfig {
  /**
   * Limit of accounted item memory (keys, values and per-entry overhead), e.g. {@code 512M}.
   * Defaults to {@link #maxMemoryFraction()} of the JVM's maximum heap.
   */
  Optional<MemorySize> maxMemory();

  /** Fraction of the maximum heap used as the limit when {@code max-memory} is not set. */
  @WithDefault("0.6")
  double maxMemoryFraction();

  /**
   * What happens when a write would exceed the limit: {@code none} answers 507 Insufficient
   * Storage; {@code lru} evicts least-recently-used items until the write fits.
   */
  @WithDefault("none")
  Eviction eviction();

  /**
   * How often expired items are removed in the background. Reads never return an expired item
   * whether or not the sweep has run; the sweep reclaims their memory.
   */
  @WithDefault("250ms")
  Duration sweepInterval();

  /** The limit in bytes, resolving the default against the heap. */
  default long maxMemoryBytes() {
    return maxMemory()
        .map(MemorySize::asLongValue)
        .orElseGet(() -> (long) (Runtime.getRuntime().maxMemory() * maxMemoryFraction()));
  }
}
