package io.stored.engine;

import static io.stored.common.Checks.requireArgument;

/**
 * Settings of a {@link StoreEngine}, as plain values (the Quarkus wiring builds this from {@code
 * stored.store.*} and {@code stored.ring.*}).
 *
 * @param partitions number of partitions Q, at least 1
 * @param maxMemory memory limit in bytes of accounted item memory, at least 1
 * @param eviction what to do when the limit is reached
 */
public record EngineSettings(int partitions, long maxMemory, Eviction eviction) {
  public EngineSettings {
    requireArgument(partitions >= 1, "partitions must be at least 1, was %s", partitions);
    requireArgument(maxMemory >= 1, "maxMemory must be at least 1 byte, was %s", maxMemory);
    requireArgument(eviction != null, "eviction must be set");
  }
}
