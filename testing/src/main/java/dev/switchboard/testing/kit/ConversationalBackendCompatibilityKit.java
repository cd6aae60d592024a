package dev.switchboard.testing.kit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchboard.core.ConnectionState;
import dev.switchboard.core.messaging.Conversation;
import dev.switchboard.core.messaging.ConversationalBackend;
import dev.switchboard.core.messaging.Message;
import dev.switchboard.core.messaging.MessageDirection;
import dev.switchboard.core.messaging.OutboundMessage;
import dev.switchboard.core.messaging.Participant;
import dev.switchboard.core.webhook.WebhookRequest;
import dev.switchboard.core.webhook.WebhookResponse;
import dev.switchboard.testing.RecordingMessagingListener;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The contract every {@link ConversationalBackend} keeps. Extend it in the provider's tests and
 * return a new backend wired to fakes from {@link #createBackend()}.
 *
 * <pre>{@code
 * class TwilioConversationalBackendTest extends ConversationalBackendCompatibilityKit {
 *   @Override protected ConversationalBackend createBackend() { return backendAgainst(fake); }
 *   @Override protected Participant participant() {
 *     return Participant.whatsApp("+14155550100", "+14155550199");
 *   }
 * }
 * }</pre>
 */
public abstract class ConversationalBackendCompatibilityKit {
  /** The backend under test: created and started before each test, stopped after it. */
  protected ConversationalBackend backend;

  /** Creates the kit. */
  protected ConversationalBackendCompatibilityKit() {}

  /**
   * Creates a new, unstarted backend wired to fakes.
   *
   * @return the backend
   */
  protected abstract ConversationalBackend createBackend();

  /**
   * Returns a participant binding the backend's fakes accept.
   *
   * @return the participant, not yet added
   */
  protected Participant participant() {
    return Participant.sms("+14155550100", "+14155550199");
  }

  /**
   * Returns the path part of the URL the backend's webhooks are delivered to.
   *
   * @return the path
   */
  protected String webhookPath() {
    return "/messaging";
  }

  @BeforeEach
  void createTheBackend() {
    backend = createBackend();
  }

  @AfterEach
  void stopTheBackend() {
    Futures.await(backend.stop(Duration.ZERO));
  }

  /** Start, stop and health. */
  @Nested
  class Lifecycle {
    @Test
    void itStartsAndStopsIdempotently() {
      assertThat(backend.connectionState()).isEqualTo(ConnectionState.STOPPED);
      assertThat(backend.name()).matches("[a-z0-9-]+");
      backend.start();
      backend.start();
      assertThat(backend.connectionState()).isEqualTo(ConnectionState.CONNECTED);
      assertThat(backend.health().checks()).isNotEmpty();
      Futures.await(backend.stop(Duration.ofSeconds(1)));
      Futures.await(backend.stop(Duration.ofSeconds(1)));
      assertThat(backend.connectionState()).isEqualTo(ConnectionState.STOPPED);
    }
  }

  /** Conversations, participants and messages. */
  @Nested
  class Conversations {
    @Test
    void aConversationIsCreatedFoundAndClosedIdempotently() {
      backend.start();
      Conversation created =
          Futures.await(backend.createConversation("support", Map.of("tier", "gold")));
      assertThat(created.state()).isEqualTo(Conversation.State.OPEN);
      assertThat(Futures.await(backend.conversation(created.id())))
          .hasValueSatisfying(c -> assertThat(c.id()).isEqualTo(created.id()));
      assertThat(Futures.await(backend.conversations(10)))
          .extracting(Conversation::id)
          .contains(created.id());
      Futures.await(backend.closeConversation(created.id()));
      Futures.await(backend.closeConversation(created.id()));
      assertThat(Futures.await(backend.conversation(created.id())))
          .hasValueSatisfying(c -> assertThat(c.state()).isEqualTo(Conversation.State.CLOSED));
    }

    @Test
    void anUnknownConversationIsEmpty() {
      backend.start();
      assertThat(Futures.await(backend.conversation("CH00000000000000000000000000000000")))
          .isEmpty();
    }

    @Test
    void participantsAreAddedListedAndRemoved() {
      backend.start();
      Conversation conversation = Futures.await(backend.createConversation("", Map.of()));
      Participant added = Futures.await(backend.addParticipant(conversation.id(), participant()));
      assertThat(added.id()).isNotBlank();
      assertThat(added.address()).isEqualTo(participant().address());
      assertThat(Futures.await(backend.participants(conversation.id())))
          .extracting(Participant::id)
          .containsExactly(added.id());
      Futures.await(backend.removeParticipant(conversation.id(), added.id()));
      assertThat(Futures.await(backend.participants(conversation.id()))).isEmpty();
    }

    @Test
    void aSentMessageHasAnIdAndIsReported() {
      RecordingMessagingListener events = new RecordingMessagingListener();
      backend.addListener(events);
      backend.start();
      Conversation conversation = Futures.await(backend.createConversation("", Map.of()));
      Futures.await(backend.addParticipant(conversation.id(), participant()));
      Message sent =
          Futures.await(backend.sendMessage(conversation.id(), OutboundMessage.text("Hello!")));
      assertThat(sent.id()).isNotBlank();
      assertThat(sent.conversationId()).isEqualTo(conversation.id());
      assertThat(sent.direction()).isEqualTo(MessageDirection.OUTBOUND);
      events.await(
          dev.switchboard.core.messaging.MessageEvent.MessageSent.class,
          e -> e.message().id().equals(sent.id()));
    }
  }

  /** Webhook security. */
  @Nested
  class Webhooks {
    @Test
    void anUnsignedWebhookIsRefusedAndReportsNothing() {
      RecordingMessagingListener events = new RecordingMessagingListener();
      backend.addListener(events);
      backend.start();
      WebhookRequest forged =
          WebhookRequest.builder("POST", URI.create("https://example.com" + webhookPath()))
              .body(
                  "EventType=onMessageAdded&ConversationSid=CH1&MessageSid=IM1&Body=hi&Author=%2B14155550100"
                      .getBytes(StandardCharsets.UTF_8),
                  "application/x-www-form-urlencoded")
              .build();
      WebhookResponse response = backend.webhookHandler().handle(forged);
      assertThat(response.status()).isEqualTo(403);
      assertThat(events.all()).isEmpty();
    }
  }
}
