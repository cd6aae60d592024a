package dev.switchboard.testing;

import dev.switchboard.core.voice.CallEvent;
import dev.switchboard.core.voice.CallListener;
import dev.switchboard.core.voice.CallState;

/**
 * A {@link CallListener} that records every call event, with waits for the common cases.
 * Thread-safe.
 *
 * <pre>{@code
 * RecordingCallListener calls = new RecordingCallListener();
 * backend.addListener(calls);
 * calls.awaitState(callSid, CallState.COMPLETED);
 * }</pre>
 */
public final class RecordingCallListener extends Recorder<CallEvent> implements CallListener {
  /** Creates an empty listener. */
  public RecordingCallListener() {}

  @Override
  public void onEvent(CallEvent event) {
    accept(event);
  }

  /**
   * Waits until a call reaches a state.
   *
   * @param callId the call
   * @param state the state
   * @return the event that reported it
   * @throws AssertionError if it does not within {@link #DEFAULT_TIMEOUT}
   */
  public CallEvent.StateChanged awaitState(String callId, CallState state) {
    return await(
        CallEvent.StateChanged.class, e -> e.callId().equals(callId) && e.current() == state);
  }
}
