package io.stored.common;

/** Precondition helpers that throw with a formatted message, in the style of Caffeine's. */
public final class Checks {
  private Checks() {}

  /**
   * Throws {@link IllegalArgumentException} with the formatted message when {@code condition} is
   * false.
   */
  public static void requireArgument(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalArgumentException(String.format(format, args));
    }
  }

  /**
   * Throws {@link IllegalStateException} with the formatted message when {@code condition} is
   * false.
   */
  public static void requireState(boolean condition, String format, Object... args) {
    if (!condition) {
      throw new IllegalStateException(String.format(format, args));
    }
  }
}
