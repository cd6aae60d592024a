package dev.switchboard.benchmarks;

/**
 * One direction of one call: when each 20 ms frame was sent, and how much has arrived at the far
 * end. Latency is matched by position in the stream, not by content, so it works through
 * transcoding: frame {@code k} has arrived once the receiver holds {@code k + 1} frames' worth of
 * bytes (rounded to the nearest frame, since a resampler may shift a few samples between chunks).
 * One sender thread and one receiver thread at a time.
 */
final class FrameLog {
  private static final int RING = 256; // 5 s of frames
  private static final int MASK = RING - 1;

  private final long[] sentAt = new long[RING];
  private volatile long sent;
  private long receivedBytes;
  private long receivedFrames;

  /**
   * Records that the next frame is being sent now; call just before sending it.
   *
   * @return the frame's sequence number, from 0
   */
  long sending(long now) {
    long n = sent;
    sentAt[(int) (n & MASK)] = now;
    sent = n + 1;
    return n;
  }

  long sent() {
    return sent;
  }

  /**
   * Records bytes arriving at the far end.
   *
   * @param bytes decoded audio bytes that arrived
   * @param frameBytes bytes of one 20 ms frame in the receiver's format
   * @param now {@link System#nanoTime()}
   * @param latency where to record each completed frame's latency
   * @return frames completed by this arrival
   */
  int received(int bytes, int frameBytes, long now, LatencyHistogram latency) {
    receivedBytes += bytes;
    long complete = (receivedBytes + frameBytes / 2) / frameBytes;
    long limit = sent;
    int n = 0;
    while (receivedFrames < complete) {
      if (receivedFrames < limit && limit - receivedFrames <= RING) {
        latency.record(now - sentAt[(int) (receivedFrames & MASK)]);
      }
      receivedFrames++;
      n++;
    }
    return n;
  }

  /**
   * Records the arrival of the frame the sender stamped with {@code sequence} (pass-through, where
   * the audio bytes arrive unchanged): exact even if frames were lost on the way.
   *
   * @return 1
   */
  int receivedStamped(long sequence, long now, LatencyHistogram latency) {
    long limit = sent;
    if (sequence >= 0 && sequence < limit && limit - sequence <= RING) {
      latency.record(now - sentAt[(int) (sequence & MASK)]);
    }
    return 1;
  }
}
