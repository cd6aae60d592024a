package dev.switchboard.core.messaging;

import dev.switchboard.core.event.SwitchboardEvent;
import java.time.Instant;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/** Something that happened in messaging. */
public sealed interface MessageEvent extends SwitchboardEvent {
  /**
   * Returns the conversation's id.
   *
   * @return the id
   */
  String conversationId();

  /**
   * A customer's message arrived (once per provider message id, however often it was delivered).
   *
   * @param message the message
   * @param timestamp when
   */
  record MessageReceived(Message message, Instant timestamp) implements MessageEvent {
    /** Validates the components. */
    public MessageReceived {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String conversationId() {
      return message.conversationId();
    }
  }

  /**
   * A message was sent.
   *
   * @param message the message
   * @param timestamp when
   */
  record MessageSent(Message message, Instant timestamp) implements MessageEvent {
    /** Validates the components. */
    public MessageSent {
      Objects.requireNonNull(message, "message");
      Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String conversationId() {
      return message.conversationId();
    }
  }

  /**
   * A sent message's delivery status moved on.
   *
   * @param conversationId the conversation
   * @param messageId the message
   * @param previous the status before, or null if unknown
   * @param current the new status
   * @param errorCode the provider's error code for failures, or null
   * @param timestamp when
   */
  record StatusChanged(
      String conversationId,
      String messageId,
      @Nullable DeliveryStatus previous,
      DeliveryStatus current,
      @Nullable String errorCode,
      Instant timestamp)
      implements MessageEvent {
    /** Validates the components. */
    public StatusChanged {
      Objects.requireNonNull(conversationId, "conversationId");
      Objects.requireNonNull(messageId, "messageId");
      Objects.requireNonNull(current, "current");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * A participant joined.
   *
   * @param conversationId the conversation
   * @param participant who
   * @param timestamp when
   */
  record ParticipantAdded(String conversationId, Participant participant, Instant timestamp)
      implements MessageEvent {
    /** Validates the components. */
    public ParticipantAdded {
      Objects.requireNonNull(conversationId, "conversationId");
      Objects.requireNonNull(participant, "participant");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * A participant left.
   *
   * @param conversationId the conversation
   * @param participantId who
   * @param timestamp when
   */
  record ParticipantRemoved(String conversationId, String participantId, Instant timestamp)
      implements MessageEvent {
    /** Validates the components. */
    public ParticipantRemoved {
      Objects.requireNonNull(conversationId, "conversationId");
      Objects.requireNonNull(participantId, "participantId");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }

  /**
   * A conversation was created.
   *
   * @param conversation the conversation
   * @param timestamp when
   */
  record ConversationCreated(Conversation conversation, Instant timestamp) implements MessageEvent {
    /** Validates the components. */
    public ConversationCreated {
      Objects.requireNonNull(conversation, "conversation");
      Objects.requireNonNull(timestamp, "timestamp");
    }

    @Override
    public String conversationId() {
      return conversation.id();
    }
  }

  /**
   * A conversation was closed.
   *
   * @param conversationId the conversation
   * @param timestamp when
   */
  record ConversationClosed(String conversationId, Instant timestamp) implements MessageEvent {
    /** Validates the components. */
    public ConversationClosed {
      Objects.requireNonNull(conversationId, "conversationId");
      Objects.requireNonNull(timestamp, "timestamp");
    }
  }
}
