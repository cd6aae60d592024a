package dev.switchboard.testing;

import dev.switchboard.core.CloseReason;
import dev.switchboard.core.SwitchboardException;
import dev.switchboard.core.agent.AgentAudio;
import dev.switchboard.core.agent.AgentSession;
import dev.switchboard.core.agent.Speaker;
import dev.switchboard.core.agent.ToolCall;
import dev.switchboard.core.agent.Transcript;
import java.io.ByteArrayOutputStream;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Predicate;

/**
 * An {@link AgentSession.Listener} that records every callback, with waits for the common cases,
 * and checks the listener contract: callbacks never overlap, and {@code onClosed} comes exactly
 * once and last. Thread-safe.
 *
 * <pre>{@code
 * RecordingAgentListener agent = new RecordingAgentListener();
 * AgentSession session = runtime.openSession(options, agent).join();
 * session.sendText("What are your opening hours?");
 * agent.awaitTranscript(Speaker.AGENT, text -> text.contains("9"));
 * session.close().join();
 * agent.awaitClosed();
 * agent.assertContractKept();
 * }</pre>
 */
public final class RecordingAgentListener implements AgentSession.Listener {
  /** One callback. */
  public sealed interface Event {
    /**
     * Agent audio.
     *
     * @param audio the audio
     */
    record Audio(AgentAudio audio) implements Event {}

    /** The user started speaking. */
    record UserSpeechStarted() implements Event {}

    /** The user stopped speaking. */
    record UserSpeechStopped() implements Event {}

    /**
     * A transcript.
     *
     * @param transcript the text
     */
    record TranscriptReceived(Transcript transcript) implements Event {}

    /**
     * A tool call.
     *
     * @param call the call
     */
    record ToolCalled(ToolCall call) implements Event {}

    /**
     * A response finished.
     *
     * @param responseId the response
     */
    record ResponseDone(String responseId) implements Event {}

    /**
     * An error.
     *
     * @param error the error
     */
    record Error(SwitchboardException error) implements Event {}

    /**
     * The session closed.
     *
     * @param reason why
     */
    record Closed(CloseReason reason) implements Event {}
  }

  private final Recorder<Event> events = new Recorder<>();
  private final AtomicBoolean inCallback = new AtomicBoolean();
  private final Recorder<String> violations = new Recorder<>();

  /** Creates an empty listener. */
  public RecordingAgentListener() {}

  private void record(Event event) {
    if (!inCallback.compareAndSet(false, true)) {
      violations.accept("callbacks overlapped at " + event);
    }
    try {
      if (!events.all(Event.Closed.class).isEmpty()) {
        violations.accept(event + " after onClosed");
      }
      events.accept(event);
    } finally {
      inCallback.set(false);
    }
  }

  @Override
  public void onAudio(AgentAudio audio) {
    record(new Event.Audio(audio));
  }

  @Override
  public void onUserSpeechStarted() {
    record(new Event.UserSpeechStarted());
  }

  @Override
  public void onUserSpeechStopped() {
    record(new Event.UserSpeechStopped());
  }

  @Override
  public void onTranscript(Transcript transcript) {
    record(new Event.TranscriptReceived(transcript));
  }

  @Override
  public void onToolCall(ToolCall call) {
    record(new Event.ToolCalled(call));
  }

  @Override
  public void onResponseDone(String responseId) {
    record(new Event.ResponseDone(responseId));
  }

  @Override
  public void onError(SwitchboardException error) {
    record(new Event.Error(error));
  }

  @Override
  public void onClosed(CloseReason reason) {
    record(new Event.Closed(reason));
  }

  /**
   * Returns every callback so far, in order.
   *
   * @return a snapshot
   */
  public List<Event> events() {
    return events.all();
  }

  /**
   * Returns the agent audio received so far, concatenated.
   *
   * @return the bytes
   */
  public byte[] audio() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (Event.Audio a : events.all(Event.Audio.class)) {
      byte[] b = new byte[a.audio().audio().size()];
      a.audio().audio().copyTo(b, 0);
      out.writeBytes(b);
    }
    return out.toByteArray();
  }

  /**
   * Waits for a final transcript of a speaker whose text matches.
   *
   * @param speaker who
   * @param text the condition on the text
   * @return the transcript
   */
  public Transcript awaitTranscript(Speaker speaker, Predicate<String> text) {
    return events
        .await(
            Event.TranscriptReceived.class,
            t ->
                t.transcript().isFinal()
                    && t.transcript().speaker() == speaker
                    && text.test(t.transcript().text()))
        .transcript();
  }

  /**
   * Waits for a call of a tool.
   *
   * @param name the tool's name
   * @return the call
   */
  public ToolCall awaitToolCall(String name) {
    return events.await(Event.ToolCalled.class, c -> c.call().name().equals(name)).call();
  }

  /**
   * Waits for a response to finish.
   *
   * @return the response's id
   */
  public String awaitResponseDone() {
    return events.await(Event.ResponseDone.class).responseId();
  }

  /** Waits for the user to start speaking. */
  public void awaitUserSpeechStarted() {
    events.await(Event.UserSpeechStarted.class);
  }

  /**
   * Waits for an error.
   *
   * @return the error
   */
  public SwitchboardException awaitError() {
    return events.await(Event.Error.class).error();
  }

  /**
   * Waits for the session to close.
   *
   * @return why it closed
   */
  public CloseReason awaitClosed() {
    return events.await(Event.Closed.class).reason();
  }

  /**
   * Waits until at least {@code bytes} bytes of agent audio have arrived.
   *
   * @param bytes how many
   * @param timeout how long to wait
   */
  public void awaitAudioBytes(int bytes, Duration timeout) {
    events.awaitAll(
        all -> {
          int n = 0;
          for (Event e : all) {
            if (e instanceof Event.Audio a) {
              n += a.audio().audio().size();
            }
          }
          return n >= bytes;
        },
        "at least " + bytes + " bytes of agent audio",
        timeout);
  }

  /**
   * Returns how many times {@code onClosed} was called.
   *
   * @return the count; the contract says at most one
   */
  public int closeCount() {
    return events.all(Event.Closed.class).size();
  }

  /**
   * Fails if the listener contract was broken: overlapping callbacks, callbacks after {@code
   * onClosed}, or more than one {@code onClosed}.
   *
   * @throws AssertionError describing the violations
   */
  public void assertContractKept() {
    List<String> broken = violations.all();
    if (!broken.isEmpty() || closeCount() > 1) {
      throw new AssertionError(
          "listener contract broken: "
              + broken
              + (closeCount() > 1 ? ", onClosed " + closeCount() + " times" : ""));
    }
  }
}
