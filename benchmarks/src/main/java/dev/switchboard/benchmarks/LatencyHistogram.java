package dev.switchboard.benchmarks;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts latencies in 2 µs buckets up to 2 s (one overflow bucket beyond). Thread-safe; recording
 * is one atomic increment.
 */
final class LatencyHistogram {
  private static final long BUCKET_NANOS = 2_000;
  private static final int BUCKETS = 1_000_000;

  private final AtomicLongArray counts = new AtomicLongArray(BUCKETS + 1);
  private final LongAdder total = new LongAdder();
  private volatile boolean recording;

  void start() {
    for (int i = 0; i <= BUCKETS; i++) {
      counts.set(i, 0);
    }
    total.reset();
    recording = true;
  }

  void stop() {
    recording = false;
  }

  void record(long nanos) {
    if (!recording) {
      return;
    }
    long bucket = Math.max(0, nanos) / BUCKET_NANOS;
    counts.incrementAndGet((int) Math.min(bucket, BUCKETS));
    total.increment();
  }

  long count() {
    return total.sum();
  }

  /**
   * Returns the latency at a quantile, as the upper edge of its bucket.
   *
   * @param q e.g. 0.99
   * @return microseconds, or NaN if nothing was recorded
   */
  double quantileMicros(double q) {
    long n = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      n += counts.get(i);
    }
    if (n == 0) {
      return Double.NaN;
    }
    long rank = (long) Math.ceil(q * n);
    long seen = 0;
    for (int i = 0; i <= BUCKETS; i++) {
      seen += counts.get(i);
      if (seen >= Math.max(1, rank)) {
        return (i + 1) * BUCKET_NANOS / 1000.0;
      }
    }
    return Double.POSITIVE_INFINITY;
  }
}
