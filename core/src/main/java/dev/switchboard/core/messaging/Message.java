package dev.switchboard.core.messaging;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * A message in a conversation. Immutable.
 *
 * @param id the provider's message id (used to recognise duplicate webhook deliveries)
 * @param conversationId the conversation
 * @param author who wrote it: a participant's address or identity, or the agent's
 * @param body the text, possibly empty when there is media
 * @param media attachments
 * @param direction inbound or outbound
 * @param status the latest delivery status
 * @param timestamp when it was created
 */
public record Message(
    String id,
    String conversationId,
    String author,
    String body,
    List<MediaAttachment> media,
    MessageDirection direction,
    DeliveryStatus status,
    Instant timestamp) {

  /** Validates the components and copies the media list. */
  public Message {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(conversationId, "conversationId");
    Objects.requireNonNull(author, "author");
    Objects.requireNonNull(body, "body");
    Objects.requireNonNull(direction, "direction");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(timestamp, "timestamp");
    media = List.copyOf(media);
  }

  /**
   * Returns the message with a new status.
   *
   * @param newStatus the status
   * @return a new message
   */
  public Message withStatus(DeliveryStatus newStatus) {
    return new Message(id, conversationId, author, body, media, direction, newStatus, timestamp);
  }

  /**
   * Shows the ids, direction and status, not the body (personal data).
   *
   * @return a summary
   */
  @Override
  public String toString() {
    return "Message["
        + id
        + " in "
        + conversationId
        + ", "
        + direction
        + ", "
        + status
        + ", "
        + body.length()
        + " chars, "
        + media.size()
        + " media]";
  }
}
