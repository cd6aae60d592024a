package dev.switchboard.benchmarks;

import java.util.concurrent.atomic.LongAdder;

/**
 * What the load generator and the fake agent observe, for all calls together. Counters count
 * always; {@link #start()} and {@link #stop()} bound the measured window. Thread-safe.
 */
final class LoadMetrics {
  /** Caller to agent: from the caller sending a media frame to the agent receiving its audio. */
  final LatencyHistogram toAgent = new LatencyHistogram();

  /** Agent to caller: from the agent sending a delta to the caller receiving its audio. */
  final LatencyHistogram toCaller = new LatencyHistogram();

  final LongAdder callerFramesSent = new LongAdder();
  final LongAdder agentFramesReceived = new LongAdder();
  final LongAdder agentFramesSent = new LongAdder();
  final LongAdder callerFramesReceived = new LongAdder();
  final LongAdder marksReceived = new LongAdder();
  final LongAdder marksEchoed = new LongAdder();
  final LongAdder clearsReceived = new LongAdder();
  final LongAdder agentOtherEvents = new LongAdder();

  void start() {
    toAgent.start();
    toCaller.start();
  }

  void stop() {
    toAgent.stop();
    toCaller.stop();
  }

  /** A snapshot of the counters. */
  record Counts(
      long callerFramesSent,
      long agentFramesReceived,
      long agentFramesSent,
      long callerFramesReceived,
      long marksReceived,
      long marksEchoed,
      long clears) {
    Counts minus(Counts o) {
      return new Counts(
          callerFramesSent - o.callerFramesSent,
          agentFramesReceived - o.agentFramesReceived,
          agentFramesSent - o.agentFramesSent,
          callerFramesReceived - o.callerFramesReceived,
          marksReceived - o.marksReceived,
          marksEchoed - o.marksEchoed,
          clears - o.clears);
    }
  }

  Counts counts() {
    return new Counts(
        callerFramesSent.sum(),
        agentFramesReceived.sum(),
        agentFramesSent.sum(),
        callerFramesReceived.sum(),
        marksReceived.sum(),
        marksEchoed.sum(),
        clearsReceived.sum());
  }
}
