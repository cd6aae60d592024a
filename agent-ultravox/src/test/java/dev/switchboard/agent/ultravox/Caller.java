package dev.switchboard.agent.ultravox;

import dev.switchboard.testing.twilio.CallerAudio;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A simulated caller who speaks when told to: silence until {@link #say} queues a tone (loud enough
 * for FakeUltravox's speech detector), which then goes out in the phone's next frames. Thread-safe;
 * one per simulated phone.
 */
final class Caller {
  private final Object lock = new Object();
  private final ArrayDeque<Speech> queue = new ArrayDeque<>(); // guarded by lock
  private Speech current; // guarded by lock
  private long position; // guarded by lock

  private record Speech(long samples, CompletableFuture<Void> done) {}

  /** The audio to give the phone: endless, the queued speech with silence in between. */
  CallerAudio audio() {
    return CallerAudio.generator(index -> next(index));
  }

  /**
   * Queues a 440 Hz tone.
   *
   * @param duration how long the caller speaks
   * @return completes once the last sample has gone out
   */
  CompletableFuture<Void> say(Duration duration) {
    Speech s = new Speech(duration.toMillis() * 8, new CompletableFuture<>());
    synchronized (lock) {
      queue.add(s);
    }
    return s.done();
  }

  private short next(long index) {
    CompletableFuture<Void> finished = null;
    short sample = 0;
    synchronized (lock) {
      if (current == null) {
        current = queue.poll();
        position = 0;
      }
      if (current != null) {
        sample = (short) (0.3 * Short.MAX_VALUE * Math.sin(2 * Math.PI * 440 * index / 8000.0));
        if (++position >= current.samples()) {
          finished = current.done();
          current = null;
        }
      }
    }
    if (finished != null) {
      finished.complete(null);
    }
    return sample;
  }
}
