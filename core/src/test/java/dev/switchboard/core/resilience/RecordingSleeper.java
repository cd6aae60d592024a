package dev.switchboard.core.resilience;

import dev.switchboard.core.testsupport.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Records each requested wait and advances a fake clock by it instead of sleeping. */
final class RecordingSleeper implements Sleeper {
  private final MutableClock clock;
  private final List<Duration> waits = new CopyOnWriteArrayList<>();
  private volatile boolean interruptNext;

  RecordingSleeper(MutableClock clock) {
    this.clock = clock;
  }

  /** Makes the next wait end as if the thread had been interrupted while sleeping. */
  void interruptNext() {
    interruptNext = true;
  }

  List<Duration> waits() {
    return List.copyOf(waits);
  }

  @Override
  public void sleep(Duration duration) throws InterruptedException {
    waits.add(duration);
    if (interruptNext) {
      interruptNext = false;
      throw new InterruptedException("interrupted by the test");
    }
    clock.advance(duration);
  }
}
