package dev.switchboard.testing.kit;

import dev.switchboard.core.ConnectionState;
import dev.switchboard.core.HealthStatus;
import dev.switchboard.core.messaging.Conversation;
import dev.switchboard.core.messaging.ConversationalBackend;
import dev.switchboard.core.messaging.DeliveryStatus;
import dev.switchboard.core.messaging.Message;
import dev.switchboard.core.messaging.MessageDirection;
import dev.switchboard.core.messaging.MessageEvent;
import dev.switchboard.core.messaging.MessagingListener;
import dev.switchboard.core.messaging.OutboundMessage;
import dev.switchboard.core.messaging.Participant;
import dev.switchboard.core.spi.ProviderConfig;
import dev.switchboard.core.webhook.WebhookHandler;
import dev.switchboard.core.webhook.WebhookResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** A minimal in-process messaging backend: the messaging kit's own reference. */
final class InMemoryConversationalBackend implements ConversationalBackend {
  private final Map<String, Conversation> conversations = new ConcurrentHashMap<>();
  private final Map<String, List<Participant>> participants = new ConcurrentHashMap<>();
  private final List<MessagingListener> listeners = new CopyOnWriteArrayList<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile ConnectionState state = ConnectionState.STOPPED;

  private String id(String prefix) {
    return String.format("%s%032d", prefix, ids.incrementAndGet());
  }

  @Override
  public String name() {
    return "in-memory";
  }

  @Override
  public void start() {
    state = ConnectionState.CONNECTED;
  }

  @Override
  public CompletableFuture<Void> stop(Duration grace) {
    state = ConnectionState.STOPPED;
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public ConnectionState connectionState() {
    return state;
  }

  @Override
  public HealthStatus health() {
    return HealthStatus.of(HealthStatus.Check.healthy("memory"));
  }

  @Override
  public ProviderConfig configuration() {
    return ProviderConfig.empty();
  }

  @Override
  public void reconfigure(ProviderConfig changes) {
    if (!changes.keys().isEmpty()) {
      throw new dev.switchboard.core.ConfigurationException("nothing can change while running");
    }
  }

  @Override
  public CompletableFuture<Conversation> createConversation(
      String friendlyName, Map<String, String> attributes) {
    Conversation c =
        new Conversation(
            id("CH"), friendlyName, Conversation.State.OPEN, Instant.now(), attributes);
    conversations.put(c.id(), c);
    participants.put(c.id(), new CopyOnWriteArrayList<>());
    return CompletableFuture.completedFuture(c);
  }

  @Override
  public CompletableFuture<Optional<Conversation>> conversation(String conversationId) {
    return CompletableFuture.completedFuture(
        Optional.ofNullable(conversations.get(conversationId)));
  }

  @Override
  public CompletableFuture<List<Conversation>> conversations(int limit) {
    List<Conversation> all = new ArrayList<>(conversations.values());
    return CompletableFuture.completedFuture(all.subList(0, Math.min(limit, all.size())));
  }

  @Override
  public CompletableFuture<Void> closeConversation(String conversationId) {
    conversations.computeIfPresent(
        conversationId,
        (k, c) ->
            new Conversation(
                c.id(),
                c.friendlyName(),
                Conversation.State.CLOSED,
                c.createdAt(),
                c.attributes()));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<Participant> addParticipant(
      String conversationId, Participant participant) {
    Participant added = participant.withId(id("MB"));
    participants.get(conversationId).add(added);
    return CompletableFuture.completedFuture(added);
  }

  @Override
  public CompletableFuture<Void> removeParticipant(String conversationId, String participantId) {
    participants.get(conversationId).removeIf(p -> p.id().equals(participantId));
    return CompletableFuture.completedFuture(null);
  }

  @Override
  public CompletableFuture<List<Participant>> participants(String conversationId) {
    return CompletableFuture.completedFuture(List.copyOf(participants.get(conversationId)));
  }

  @Override
  public CompletableFuture<Message> sendMessage(String conversationId, OutboundMessage message) {
    Message sent =
        new Message(
            id("IM"),
            conversationId,
            "agent",
            message.body(),
            List.of(),
            MessageDirection.OUTBOUND,
            DeliveryStatus.SENT,
            Instant.now());
    MessageEvent event = new MessageEvent.MessageSent(sent, Instant.now());
    listeners.forEach(l -> l.onEvent(event));
    return CompletableFuture.completedFuture(sent);
  }

  @Override
  public WebhookHandler webhookHandler() {
    return request ->
        request.header("X-Test-Signature").isPresent()
            ? WebhookResponse.empty(200)
            : WebhookResponse.error(403, "signature_missing", "X-Test-Signature is missing");
  }

  @Override
  public void addListener(MessagingListener listener) {
    listeners.add(listener);
  }

  @Override
  public void removeListener(MessagingListener listener) {
    listeners.remove(listener);
  }
}
