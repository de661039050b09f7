package io.stored.testing;

import static org.awaitility.Awaitility.await;

import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Netty's leak detector at its paranoid level, with a listener that collects every pooled buffer
 * reported as collected while still held; {@link #close} restores the level.
 */
public final class LeakWatch implements AutoCloseable {
  private final List<String> leaks = new CopyOnWriteArrayList<>();
  private final ResourceLeakDetector<?> detector;
  private final ResourceLeakDetector.Level level;

  private LeakWatch() throws ReflectiveOperationException {
    // the detector of every ByteBuf; its leak listener is public, the field is not
    Field f = Class.forName("io.netty.buffer.AbstractByteBuf").getDeclaredField("leakDetector");
    f.setAccessible(true);
    detector = (ResourceLeakDetector<?>) f.get(null);
    level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    detector.setLeakListener((type, records) -> leaks.add(records));
  }

  public static LeakWatch paranoid() throws ReflectiveOperationException {
    return new LeakWatch();
  }

  /**
   * Fails if a leak is reported. A leaked buffer is reported when the detector tracks a new buffer
   * after the leaked one was collected: this collects, runs {@code allocate} (requests that
   * allocate buffers), and wants a second of that without a report.
   */
  public void assertNone(Allocations allocate) {
    await("no buffer reported leaked")
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              System.gc();
              allocate.run();
              return leaks.isEmpty();
            });
  }

  /** Work that allocates pooled buffers, such as requests to the server. */
  @FunctionalInterface
  public interface Allocations {
    void run() throws Exception;
  }

  @Override
  public void close() {
    detector.setLeakListener(null);
    ResourceLeakDetector.setLevel(level);
  }
}
