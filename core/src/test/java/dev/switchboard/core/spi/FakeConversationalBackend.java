package dev.switchboard.core.spi;

import dev.switchboard.core.ConnectionState;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.messaging.Conversation;
import dev.switchboard.core.messaging.ConversationalBackend;
import dev.switchboard.core.messaging.Message;
import dev.switchboard.core.messaging.MessagingListener;
import dev.switchboard.core.messaging.OutboundMessage;
import dev.switchboard.core.messaging.Participant;
import dev.switchboard.core.webhook.WebhookHandler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * A messaging backend that only remembers how it was created (see {@link FakeVoiceBackend}). It
 * sends nothing.
 */
public final class FakeConversationalBackend implements ConversationalBackend {
  private final String name;
  private final ProviderConfig config;

  public FakeConversationalBackend(String name, ProviderConfig config) {
    this.name = name;
    this.config = config;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void start() {}

  @Override
  public CompletableFuture<Void> stop(Duration grace) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public ConnectionState connectionState() {
    return ConnectionState.STOPPED;
  }

  @Override
  public HealthStatus health() {
    return HealthStatus.of(List.of());
  }

  @Override
  public ProviderConfig configuration() {
    return config;
  }

  @Override
  public void reconfigure(ProviderConfig changes) {
    throw new UnsupportedOperationException("test fake");
  }

  @Override
  public CompletableFuture<Conversation> createConversation(
      String friendlyName, Map<String, String> attributes) {
    return unsupported();
  }

  @Override
  public CompletableFuture<Optional<Conversation>> conversation(String conversationId) {
    return CompletableFuture.completedFuture(Optional.empty());
  }

  @Override
  public CompletableFuture<List<Conversation>> conversations(int limit) {
    return CompletableFuture.completedFuture(List.of());
  }

  @Override
  public CompletableFuture<Void> closeConversation(String conversationId) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Participant> addParticipant(
      String conversationId, Participant participant) {
    return unsupported();
  }

  @Override
  public CompletableFuture<Void> removeParticipant(String conversationId, String participantId) {
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<List<Participant>> participants(String conversationId) {
    return CompletableFuture.completedFuture(List.of());
  }

  @Override
  public CompletableFuture<Message> sendMessage(String conversationId, OutboundMessage message) {
    return unsupported();
  }

  @Override
  public WebhookHandler webhookHandler() {
    throw new UnsupportedOperationException("test fake");
  }

  @Override
  public void addListener(MessagingListener listener) {}

  @Override
  public void removeListener(MessagingListener listener) {}

  private static <T> CompletableFuture<T> unsupported() {
    return CompletableFuture.failedFuture(new UnsupportedOperationException("test fake"));
  }
}
