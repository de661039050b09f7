package io.stored.bench;

import io.stored.engine.EngineSettings;
import io.stored.engine.Eviction;
import io.stored.engine.ItemKey;
import io.stored.engine.Precondition;
import io.stored.engine.StoreEngine;
import io.stored.engine.Ticker;
import io.stored.ring.PartitionHash;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * The engine against the simplest thing that could hold the same data, with the peer as a
 * {@code @Param} (as Caffeine's GetPutBenchmark does): {@code stored} is {@link StoreEngine}
 * (partition hash, partition lock, binary search over one byte array per item, accounting,
 * versions); {@code chm} is a {@link ConcurrentHashMap} of item path to value (no order, no
 * versions, no accounting) and, for listing, a map of key to a {@link ConcurrentSkipListMap} of
 * ids. Keys are drawn uniformly or from a Zipf distribution (s = 0.99, the YCSB default) over
 * {@code keys} keys (100,000; {@code -p keys=10000} is the working set of {@code bench/run.sh})
 * with 100-byte values, from precomputed index arrays so the generator costs nothing measured.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Threads(2)
public class EngineBenchmark {
  static final int SAMPLES = 1 << 20;
  static final int PARTITIONS = 1024;

  @Param({"stored", "chm"})
  public String impl;

  @Param({"uniform", "zipf"})
  public String distribution;

  @Param({"100000"})
  public int keys;

  private ItemKey[] items;
  private String[] paths;
  private int[] partitionOf;
  private int[] samples;
  private final byte[] value = new byte[100];
  private StoreEngine engine;
  private ConcurrentHashMap<String, byte[]> chm;
  private ConcurrentHashMap<String, ConcurrentSkipListMap<String, byte[]>> chmIds;

  @Setup(Level.Trial)
  public void setUp() {
    items = new ItemKey[keys];
    paths = new String[keys];
    partitionOf = new int[keys];
    engine =
        new StoreEngine(new EngineSettings(PARTITIONS, 1L << 32, Eviction.NONE), Ticker.system());
    chm = new ConcurrentHashMap<>();
    chmIds = new ConcurrentHashMap<>();
    for (int i = 0; i < keys; i++) {
      String key = String.format("key-%015d", i);
      items[i] = ItemKey.of("default", key, "0");
      paths[i] = "default/" + key + "/0";
      partitionOf[i] = partition(items[i]);
      engine.put(partitionOf[i], items[i], value, "application/octet-stream", 0, Precondition.NONE);
      chm.put(paths[i], value);
      chmIds.computeIfAbsent("default/" + key, k -> new ConcurrentSkipListMap<>()).put("0", value);
    }
    samples = distribution.equals("zipf") ? zipf(keys, 0.99, SAMPLES) : uniform(keys, SAMPLES);
  }

  /** Per-thread position in the sample array. */
  @State(Scope.Thread)
  public static class Cursor {
    int next = ThreadLocalRandom.current().nextInt(SAMPLES);

    int advance() {
      next = (next + 1) & (SAMPLES - 1);
      return next;
    }
  }

  @Benchmark
  public Object get(Cursor c) {
    int i = samples[c.advance()];
    if (impl.equals("stored")) {
      // the endpoint hashes every request: part of the measured cost
      ItemKey k = items[i];
      int p = partition(k);
      return engine.get(p, k);
    }
    return chm.get(paths[i]);
  }

  @Benchmark
  public Object put(Cursor c) {
    int i = samples[c.advance()];
    if (impl.equals("stored")) {
      ItemKey k = items[i];
      int p = partition(k);
      return engine.put(p, k, value, "application/octet-stream", 0, Precondition.NONE);
    }
    return chm.put(paths[i], value);
  }

  @Benchmark
  public Object listIds(Cursor c) {
    int i = samples[c.advance()];
    if (impl.equals("stored")) {
      ItemKey k = items[i];
      return engine.listIds(
          partitionOf[i],
          "default".getBytes(StandardCharsets.UTF_8),
          k.key().getBytes(StandardCharsets.UTF_8),
          null,
          1000);
    }
    Map<String, byte[]> ids = chmIds.get(paths[i].substring(0, paths[i].length() - 2));
    return ids == null ? null : ids.keySet().toArray();
  }

  /** The partition of a key, computed as the endpoint does for every request. */
  static int partition(ItemKey k) {
    return PartitionHash.partition(
        PartitionHash.hash64(k.partitionKeyBytes(), 0, k.partitionKeyLength()), PARTITIONS);
  }

  static int[] uniform(int n, int count) {
    int[] out = new int[count];
    java.util.Random r = new java.util.Random(1);
    for (int k = 0; k < count; k++) {
      out[k] = r.nextInt(n);
    }
    return out;
  }

  /** Zipf samples by inverting the cumulative distribution (binary search over it). */
  static int[] zipf(int n, double s, int count) {
    double[] cdf = new double[n];
    double sum = 0;
    for (int k = 0; k < n; k++) {
      sum += 1 / Math.pow(k + 1, s);
      cdf[k] = sum;
    }
    int[] out = new int[count];
    java.util.Random r = new java.util.Random(1);
    for (int k = 0; k < count; k++) {
      int idx = java.util.Arrays.binarySearch(cdf, r.nextDouble() * sum);
      int rank = idx >= 0 ? idx : -idx - 1;
      // scatter the ranks over the key space so hot keys are not neighbours
      out[k] = (int) ((rank * 2654435761L) % n);
    }
    return out;
  }
}
