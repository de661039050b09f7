package io.stored.engine;

/**
 * The engine's source of wall-clock time in milliseconds. Expiry deadlines and the hybrid version
 * clock read it; tests pass a ticker they advance by hand instead of sleeping.
 */
@FunctionalInterface
public interface Ticker {
  /** Milliseconds since the epoch, as {@link System#currentTimeMillis()}. */
  long millis();

  /** The system clock. */
  static Ticker system() {
    return System::currentTimeMillis;
  }
}
