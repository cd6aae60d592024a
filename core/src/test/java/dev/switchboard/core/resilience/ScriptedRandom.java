package dev.switchboard.core.resilience;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.random.RandomGenerator;

/** Returns scripted values from {@link #nextDouble()}; fails when it runs out. */
final class ScriptedRandom implements RandomGenerator {
  private final Deque<Double> doubles = new ArrayDeque<>();

  ScriptedRandom(double... values) {
    for (double value : values) {
      doubles.add(value);
    }
  }

  @Override
  public synchronized double nextDouble() {
    Double next = doubles.poll();
    if (next == null) {
      throw new AssertionError("the test scripted no more random values");
    }
    return next;
  }

  @Override
  public long nextLong() {
    throw new UnsupportedOperationException("only nextDouble() is scripted");
  }
}
