package dev.switchboard.core.bridge;

import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.voice.Call;
import dev.switchboard.core.voice.MediaStream;
import java.util.concurrent.CompletableFuture;

/**
 * One call joined to one agent session by a {@link VoiceAgentBridge}. Thread-safe.
 *
 * <pre>{@code
 * BridgedCall bridged = bridge.attach(call, stream).join();
 * bridged.done().thenRun(() -> log.info("call {} finished: {}", call.id(), bridged.metrics()));
 * }</pre>
 *
 * <p>Lifecycle: the bridge runs until the call or its stream ends, the agent session ends (the
 * bridge then hangs up, after an apology if the session failed), the agent ends the call ({@code
 * end_call}), or {@link #close()} detaches it. {@link #done()} completes once the bridge has
 * stopped, its agent session is closed and nothing of the call remains scheduled.
 */
public interface BridgedCall {
  /**
   * Returns the call.
   *
   * @return the call
   */
  Call call();

  /**
   * Returns the agent session serving the call.
   *
   * @return the session
   */
  AgentSession session();

  /**
   * Returns a snapshot of the call's counters.
   *
   * @return the metrics
   */
  BridgeMetrics metrics();

  /**
   * Continues the call on a new media stream (e.g. after DTMF tones, which end the previous
   * stream): same agent session, fresh playback state. The old stream's listener is detached; the
   * old stream is not closed.
   *
   * @param stream the call's new stream
   * @throws IllegalStateException if the bridge has stopped
   */
  void replaceStream(MediaStream stream);

  /**
   * Detaches the bridge: closes the agent session and stops listening to the stream, leaving the
   * call up (the application decides what happens to it). Idempotent.
   *
   * @return {@link #done()}
   */
  CompletableFuture<Void> close();

  /**
   * Completes when the bridge has stopped and the agent session is closed. Never completes
   * exceptionally.
   *
   * @return the completion
   */
  CompletableFuture<Void> done();
}
