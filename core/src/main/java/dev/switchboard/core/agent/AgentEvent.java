package dev.switchboard.core.agent;

import dev.switchboard.core.CloseReason;
import dev.switchboard.core.event.SwitchboardEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Something that happened in an agent session. */
public sealed interface AgentEvent extends SwitchboardEvent {
  /**
   * Returns the session's id.
   *
   * @return the id
   */
  String sessionId();

  /**
   * Returns the call the session serves.
   *
   * @return the call's id, or null for sessions not tied to a call
   */
  @Nullable String callId();

  /**
   * A transcript arrived.
   *
   * @param sessionId the session
   * @param callId the call, or null
   * @param transcript the text
   * @param timestamp when
   */
  record TranscriptReceived(
      String sessionId, @Nullable String callId, Transcript transcript, Instant timestamp)
      implements AgentEvent {
    /** Validates the components. */
    public TranscriptReceived {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(transcript, "transcript");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * A tool ran.
   *
   * @param sessionId the session
   * @param callId the call, or null
   * @param toolName the tool
   * @param took how long it ran
   * @param succeeded whether it returned a non-error result in time
   * @param timestamp when it finished
   */
  record ToolCalled(
      String sessionId,
      @Nullable String callId,
      String toolName,
      Duration took,
      boolean succeeded,
      Instant timestamp)
      implements AgentEvent {
    /** Validates the components. */
    public ToolCalled {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(toolName, "toolName");
      Objects.requireNonNull(took, "took");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * The session failed without closing, or an error was reported by the service.
   *
   * @param sessionId the session
   * @param callId the call, or null
   * @param message what went wrong; never a secret
   * @param timestamp when
   */
  record AgentFailed(String sessionId, @Nullable String callId, String message, Instant timestamp)
      implements AgentEvent {
    /** Validates the components. */
    public AgentFailed {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * The session closed.
   *
   * @param sessionId the session
   * @param callId the call, or null
   * @param reason why
   * @param timestamp when
   */
  record SessionClosed(
      String sessionId, @Nullable String callId, CloseReason reason, Instant timestamp)
      implements AgentEvent {
    /** Validates the components. */
    public SessionClosed {
      Objects.requireNonNull(sessionId, "sessionId");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }
}
