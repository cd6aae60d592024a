package dev.switchboard.core.voice;

import dev.switchboard.core.CloseReason;
import dev.switchboard.core.event.SwitchboardEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Something that happened to a call. Published by a {@link VoiceBackend} to its {@link
 * CallListener}s (and, through them, to an {@code EventBus}).
 */
public sealed interface CallEvent extends SwitchboardEvent {
  /**
   * Returns the call's id.
   *
   * @return the provider's call id (Twilio's CallSid)
   */
  String callId();

  /**
   * The call moved to a new state: initiated, ringing, answered ({@code IN_PROGRESS}), completed,
   * busy, failed...
   *
   * @param callId the call
   * @param previous the state before, or null for a call just created
   * @param current the new state
   * @param timestamp when
   */
  record StateChanged(
      String callId, @Nullable CallState previous, CallState current, Instant timestamp)
      implements CallEvent {
    /** Validates the components. */
    public StateChanged {
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(current, "current");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * A media stream of the call started (a call may have several in turn, e.g. after DTMF).
   *
   * @param callId the call
   * @param streamId the stream (Twilio's StreamSid)
   * @param timestamp when
   */
  record StreamStarted(String callId, String streamId, Instant timestamp) implements CallEvent {
    /** Validates the components. */
    public StreamStarted {
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(streamId, "streamId");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * A media stream of the call stopped.
   *
   * @param callId the call
   * @param streamId the stream
   * @param reason why
   * @param timestamp when
   */
  record StreamStopped(String callId, String streamId, CloseReason reason, Instant timestamp)
      implements CallEvent {
    /** Validates the components. */
    public StreamStopped {
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(streamId, "streamId");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * The caller pressed a key.
   *
   * @param callId the call
   * @param digit {@code 0}-{@code 9}, {@code *} or {@code #}
   * @param timestamp when
   */
  record DtmfReceived(String callId, String digit, Instant timestamp) implements CallEvent {
    /** Validates the components. */
    public DtmfReceived {
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(digit, "digit");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * Answering-machine detection finished.
   *
   * @param callId the call
   * @param answeredBy the provider's verdict, e.g. Twilio's {@code human}, {@code
   *     machine_end_beep}, {@code fax}, {@code unknown}
   * @param timestamp when
   */
  record MachineDetected(String callId, String answeredBy, Instant timestamp) implements CallEvent {
    /** Validates the components. */
    public MachineDetected {
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(answeredBy, "answeredBy");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * The caller started speaking over the agent and the agent's audio was cut.
   *
   * @param callId the call
   * @param heard how much of the interrupted response the caller heard
   * @param timestamp when the caller's speech was detected
   */
  record BargeIn(String callId, Duration heard, Instant timestamp) implements CallEvent {
    /** Validates the components. */
    public BargeIn {
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(heard, "heard");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * The agent service's side of a call changed: a {@code TELEPHONY_DIRECT} agent service (Ultravox)
   * created, joined, ended or billed its call, as its webhooks report. Duplicated deliveries are
   * published once.
   *
   * @param callId the telephony call's id when the agent service knows it (the session's {@code
   *     callId}, carried in the agent call's metadata), otherwise the agent service's call id
   * @param agentCallId the agent service's call id
   * @param phase what happened
   * @param detail for {@link AgentCallPhase#ENDED} the end reason (Ultravox: {@code hangup}, {@code
   *     agent_hangup}, {@code timeout}, {@code unjoined}, {@code connection_error}, {@code
   *     system_error}); for {@link AgentCallPhase#BILLED} the billed duration (e.g. {@code "61s"});
   *     otherwise null
   * @param timestamp when the agent service reported it
   */
  record AgentCallChanged(
      String callId,
      String agentCallId,
      AgentCallPhase phase,
      @Nullable String detail,
      Instant timestamp)
      implements CallEvent {
    /** Validates the components. */
    public AgentCallChanged {
      Objects.requireNonNull(callId, "callId");
      Objects.requireNonNull(agentCallId, "agentCallId");
      Objects.requireNonNull(phase, "phase");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /** The phases of an agent service's call, in the order they happen. */
  enum AgentCallPhase {
    /** The agent service created the call. */
    STARTED,
    /** The media joined: the conversation began. */
    JOINED,
    /** The call ended (also for calls never joined). */
    ENDED,
    /** The call was billed, after it ended. */
    BILLED
  }
}
