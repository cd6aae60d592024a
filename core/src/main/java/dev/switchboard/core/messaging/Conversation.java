package dev.switchboard.core.messaging;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A conversation: a thread of messages between participants. Immutable snapshot.
 *
 * @param id the provider's conversation id
 * @param friendlyName a display name, possibly empty
 * @param state open or closed
 * @param createdAt when it was created
 * @param attributes application data stored with it
 */
public record Conversation(
    String id,
    String friendlyName,
    State state,
    Instant createdAt,
    Map<String, String> attributes) {

  /** Whether a conversation takes new messages. */
  public enum State {
    /** Active. */
    OPEN,
    /** Closed: no new messages. */
    CLOSED
  }

  /** Validates the components and copies the attributes. */
  public Conversation {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(friendlyName, "friendlyName");
    Objects.requireNonNull(state, "state");
    Objects.requireNonNull(createdAt, "createdAt");
    attributes = Map.copyOf(attributes);
  }
}
