package dev.switchboard.core.messaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessagingValuesTest {

  @Test
  void phoneBindingsNeedE164NumbersOnBothSides() {
    assertThat(Participant.whatsApp("+14155550100", "+14155550199").channel())
        .isEqualTo(Channel.WHATSAPP);
    assertThatThrownBy(() -> Participant.sms("0415 555", "+14155550199"))
        .hasMessageContaining("SMS address must be an E.164 number");
    assertThatThrownBy(() -> new Participant("", Channel.SMS, "+14155550100", null))
        .hasMessageContaining("proxy address");
    assertThat(Participant.chat("ada").withId("MB1").id()).isEqualTo("MB1");
  }

  @Test
  void deliveryStatusesOnlyMoveForward() {
    assertThat(DeliveryStatus.SENT.canMoveTo(DeliveryStatus.DELIVERED)).isTrue();
    assertThat(DeliveryStatus.DELIVERED.canMoveTo(DeliveryStatus.SENT)).isFalse();
    assertThat(DeliveryStatus.DELIVERED.canMoveTo(DeliveryStatus.READ)).isTrue();
    assertThat(DeliveryStatus.FAILED.canMoveTo(DeliveryStatus.DELIVERED)).isFalse();
  }

  @Test
  void outboundMessagesNeedTextOrMedia() {
    assertThatThrownBy(() -> OutboundMessage.text(" "))
        .hasMessageContaining("needs a body or media");
    Message message =
        new Message(
            "SM1",
            "CH1",
            "+14155550100",
            "hello there",
            List.of(),
            MessageDirection.INBOUND,
            DeliveryStatus.RECEIVED,
            Instant.EPOCH);
    assertThat(message.toString()).doesNotContain("hello");
    assertThat(message.withStatus(DeliveryStatus.READ).status()).isEqualTo(DeliveryStatus.READ);
  }
}
