package dev.switchboard.core.messaging;

import dev.switchboard.core.Backend;
import dev.switchboard.core.webhook.WebhookHandler;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The messaging side of Switchboard: conversations over SMS and WhatsApp, messages with media,
 * participants, delivery status. Implemented by provider modules ({@code messaging-twilio});
 * thread-safe.
 *
 * <pre>{@code
 * ConversationalBackend messaging = ...;
 * messaging.addListener(event -> {
 *   if (event instanceof MessageEvent.MessageReceived received) { ... }
 * });
 * messaging.start();
 * server.webhook("/twilio/messaging", messaging.webhookHandler());
 * }</pre>
 *
 * <p>Lifecycle and errors as for {@code VoiceBackend}: {@link #start()}, {@link
 * #stop(java.time.Duration)}, asynchronous operations completing exceptionally with a {@code
 * SwitchboardException}. Inbound messages and status updates arrive through {@link
 * #webhookHandler()}, which verifies each request's signature and answers forged ones with 403;
 * duplicate deliveries of one message are reported once.
 */
public interface ConversationalBackend extends Backend {
  /**
   * Creates a conversation.
   *
   * @param friendlyName a display name, possibly empty
   * @param attributes application data to store with it
   * @return the conversation
   */
  CompletableFuture<Conversation> createConversation(
      String friendlyName, Map<String, String> attributes);

  /**
   * Looks up a conversation.
   *
   * @param conversationId the id
   * @return the conversation, empty if there is none with that id
   */
  CompletableFuture<Optional<Conversation>> conversation(String conversationId);

  /**
   * Lists open conversations, newest first.
   *
   * @param limit the most to return, positive
   * @return the conversations
   */
  CompletableFuture<List<Conversation>> conversations(int limit);

  /**
   * Closes a conversation. Idempotent.
   *
   * @param conversationId the id
   * @return completes when closed
   */
  CompletableFuture<Void> closeConversation(String conversationId);

  /**
   * Adds a participant with an SMS, WhatsApp or chat binding.
   *
   * @param conversationId the conversation
   * @param participant who and how, e.g. {@link Participant#whatsApp(String, String)}
   * @return the participant with its provider id
   */
  CompletableFuture<Participant> addParticipant(String conversationId, Participant participant);

  /**
   * Removes a participant. Idempotent.
   *
   * @param conversationId the conversation
   * @param participantId the participant's id
   * @return completes when removed
   */
  CompletableFuture<Void> removeParticipant(String conversationId, String participantId);

  /**
   * Lists a conversation's participants.
   *
   * @param conversationId the conversation
   * @return the participants
   */
  CompletableFuture<List<Participant>> participants(String conversationId);

  /**
   * Sends a message into a conversation. Not retried blindly: a failure that may have reached the
   * provider is reported, not repeated.
   *
   * @param conversationId the conversation
   * @param message the text and media
   * @return the sent message with its id and first status
   */
  CompletableFuture<Message> sendMessage(String conversationId, OutboundMessage message);

  /**
   * Returns the handler for the provider's webhooks (inbound messages, delivery status, participant
   * and conversation changes), to mount on a server.
   *
   * @return the handler
   */
  WebhookHandler webhookHandler();

  /**
   * Adds a listener for messaging events.
   *
   * @param listener the listener
   */
  void addListener(MessagingListener listener);

  /**
   * Removes a listener.
   *
   * @param listener the listener
   */
  void removeListener(MessagingListener listener);
}
