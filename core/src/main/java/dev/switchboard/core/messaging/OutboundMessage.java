package dev.switchboard.core.messaging;

import java.net.URI;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message to send. Immutable.
 *
 * <pre>{@code
 * backend.sendMessage(conversationId, OutboundMessage.text("Your table is booked for 8 pm."));
 * }</pre>
 *
 * @param body the text, possibly empty when there is media
 * @param media URLs of files to attach (publicly fetchable by the provider)
 * @param author the author to show, or null for the backend's default
 */
public record OutboundMessage(String body, List<URI> media, @Nullable String author) {
  /**
   * Validates the components.
   *
   * @throws IllegalArgumentException if there is neither text nor media
   */
  public OutboundMessage {
    Objects.requireNonNull(body, "body");
    media = List.copyOf(media);
    if (body.isBlank() && media.isEmpty()) {
      throw new IllegalArgumentException("a message needs a body or media");
    }
  }

  /**
   * Returns a text message.
   *
   * @param body the text
   * @return the message
   */
  public static OutboundMessage text(String body) {
    return new OutboundMessage(body, List.of(), null);
  }
}
