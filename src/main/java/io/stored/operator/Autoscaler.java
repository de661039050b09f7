package io.stored.operator;

import java.time.Duration;

/**
 * Decides how many stores a cluster wants from their memory use: one more as soon as the average
 * use is above the target; one fewer only when, even without one store, the use would stay 10
 * points under the target, and that has held for {@link #SCALE_IN_AFTER} (hysteresis: a cluster
 * does not flap around the target). Always within {@code [min, max]}. Plain Java.
 */
final class Autoscaler {
  /** How long the use must stay low before a store is removed. */
  static final Duration SCALE_IN_AFTER = Duration.ofMinutes(3);

  private Autoscaler() {}

  /**
   * The store count to ask for.
   *
   * @param current stores now
   * @param used accounted bytes held by the stores
   * @param capacity the stores' memory limits, summed
   * @param lowSinceMillis since when the use has been low enough to remove a store (-1: it is not)
   */
  static int decide(
      int current,
      int min,
      int max,
      int targetPercent,
      long used,
      long capacity,
      long lowSinceMillis,
      long nowMillis) {
    int clamped = Math.max(min, Math.min(max, current));
    if (clamped != current || capacity <= 0) {
      return clamped;
    }
    double utilization = 100.0 * used / capacity;
    if (utilization > targetPercent && current < max) {
      return current + 1;
    }
    if (current > min
        && lowEnoughToRemoveOne(current, targetPercent, used, capacity)
        && lowSinceMillis >= 0
        && nowMillis - lowSinceMillis >= SCALE_IN_AFTER.toMillis()) {
      return current - 1;
    }
    return current;
  }

  /** Whether the stores minus one would hold {@code used} at least 10 points under the target. */
  static boolean lowEnoughToRemoveOne(int current, int targetPercent, long used, long capacity) {
    if (current <= 1) {
      return false;
    }
    double perStore = (double) capacity / current;
    return 100.0 * used / (perStore * (current - 1)) < targetPercent - 10;
  }
}
