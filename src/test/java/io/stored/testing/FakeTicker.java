package io.stored.testing;

import io.stored.engine.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A {@link Ticker} that moves only when a test advances it. */
public final class FakeTicker implements Ticker {
  private final AtomicLong millis = new AtomicLong(1_000_000);

  @Override
  public long millis() {
    return millis.get();
  }

  public FakeTicker advance(Duration d) {
    millis.addAndGet(d.toMillis());
    return this;
  }
}
