package dev.switchboard.core.agent;

import dev.switchboard.codec.AudioFormat;
import dev.switchboard.core.AudioChunk;
import dev.switchboard.core.CloseReason;
import dev.switchboard.core.SwitchboardException;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A live conversation with an AI agent, opened by {@link AgentRuntime#openSession}. Thread-safe;
 * sends never block and return false when refused (session closed or send queue full).
 *
 * <pre>{@code
 * AgentSession session = runtime.openSession(options, new AgentSession.Listener() {
 *   public void onAudio(AgentAudio audio) { stream.sendAudio(audio.audio()); }
 *   public void onUserSpeechStarted() { stream.clear(); }
 *   public void onClosed(CloseReason reason) { call.hangUp(); }
 * }).join();
 * session.sendAudio(callerAudio);
 * }</pre>
 *
 * <p>Lifecycle: open until {@link #close()}, the service closes it, or it fails; the listener's
 * {@link Listener#onClosed} is called exactly once, last. {@code close()} is idempotent and bounded
 * in time.
 */
public interface AgentSession {
  /**
   * Returns the session's id.
   *
   * @return the service's id for the session (or call)
   */
  String id();

  /**
   * Returns the mode the session was opened in.
   *
   * @return the capability
   */
  Capability mode();

  /**
   * Returns the format {@link #sendAudio} expects.
   *
   * @return the input format (meaningless for TEXT sessions)
   */
  AudioFormat inputFormat();

  /**
   * Returns the format of the audio {@link Listener#onAudio} delivers.
   *
   * @return the output format (meaningless for TEXT sessions)
   */
  AudioFormat outputFormat();

  /**
   * Returns the URL a telephony backend streams the call's media to, for {@link
   * Capability#TELEPHONY_DIRECT} sessions.
   *
   * @return the join URL, for TELEPHONY_DIRECT sessions
   */
  Optional<URI> joinUrl();

  /**
   * Sends the caller's audio.
   *
   * @param audio audio in {@link #inputFormat()}
   * @return true if queued
   */
  boolean sendAudio(AudioChunk audio);

  /**
   * Sends a user message and asks for a reply (TEXT sessions; audio sessions treat it as typed
   * input).
   *
   * @param text the message
   * @return true if queued
   */
  boolean sendText(String text);

  /**
   * Returns a tool's result to the agent, which then continues its response.
   *
   * @param result the result
   * @return true if queued
   */
  boolean sendToolResult(ToolResult result);

  /**
   * Tells the agent how much of an item the caller actually heard before interrupting, so it
   * remembers only that (OpenAI: {@code conversation.item.truncate}). Services that track playback
   * themselves ignore it.
   *
   * @param itemId the interrupted item
   * @param heard how much of its audio was played
   * @return true if queued or not needed
   */
  boolean truncate(String itemId, Duration heard);

  /**
   * Cancels the response in progress, if any.
   *
   * @return true if queued or nothing to cancel
   */
  boolean cancelResponse();

  /**
   * Tells whether the session is open.
   *
   * @return true until it closes
   */
  boolean isOpen();

  /**
   * Closes the session (idempotent, bounded in time).
   *
   * @return completes when closed and the listener has been told
   */
  CompletableFuture<Void> close();

  /**
   * Receives a session's events, one at a time and in order, never concurrently and never under the
   * session's locks. Callbacks must return quickly; run tools and other blocking work elsewhere.
   */
  interface Listener {
    /** A listener that ignores everything. */
    Listener NONE = new Listener() {};

    /**
     * A piece of the agent's spoken answer arrived.
     *
     * @param audio the audio and its response and item ids
     */
    default void onAudio(AgentAudio audio) {}

    /** The caller started speaking (barge-in if the agent is talking). */
    default void onUserSpeechStarted() {}

    /** The caller stopped speaking. */
    default void onUserSpeechStopped() {}

    /**
     * Text of what the caller or the agent said, partial or final.
     *
     * @param transcript the text
     */
    default void onTranscript(Transcript transcript) {}

    /**
     * The agent asks for a tool to run; answer with {@link AgentSession#sendToolResult}.
     *
     * @param call the call
     */
    default void onToolCall(ToolCall call) {}

    /**
     * A response finished (its audio may still be playing at the phone).
     *
     * @param responseId the response
     */
    default void onResponseDone(String responseId) {}

    /**
     * Something went wrong that did not close the session.
     *
     * @param error what
     */
    default void onError(SwitchboardException error) {}

    /**
     * The session closed. Called exactly once, last.
     *
     * @param reason why
     */
    default void onClosed(CloseReason reason) {}
  }
}
