package dev.switchboard.core.messaging;

import java.util.Objects;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A member of a conversation and how they are reached: a customer's phone number on SMS or WhatsApp
 * paired with our number (the proxy address), or a chat identity. Immutable.
 *
 * @param id the provider's participant id, or empty before it is added
 * @param channel SMS, WhatsApp or chat
 * @param address the customer's number (E.164) for SMS and WhatsApp, or the chat identity
 * @param proxyAddress our number (E.164) the customer talks to, or null for chat
 */
public record Participant(
    String id, Channel channel, String address, @Nullable String proxyAddress) {
  private static final Pattern E164 = Pattern.compile("\\+[1-9][0-9]{1,14}");

  /**
   * Validates the address against the channel.
   *
   * @throws IllegalArgumentException naming the bad address
   */
  public Participant {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(channel, "channel");
    Objects.requireNonNull(address, "address");
    if (channel != Channel.CHAT) {
      if (!E164.matcher(address).matches()) {
        throw new IllegalArgumentException(
            channel + " address must be an E.164 number like +14155550100, got '" + address + "'");
      }
      if (proxyAddress == null || !E164.matcher(proxyAddress).matches()) {
        throw new IllegalArgumentException(
            channel + " proxy address must be an E.164 number, got '" + proxyAddress + "'");
      }
    } else if (address.isBlank()) {
      throw new IllegalArgumentException("chat identity must not be blank");
    }
  }

  /**
   * Returns an SMS binding, not yet added.
   *
   * @param customer the customer's number
   * @param ours our number
   * @return the participant
   */
  public static Participant sms(String customer, String ours) {
    return new Participant("", Channel.SMS, customer, ours);
  }

  /**
   * Returns a WhatsApp binding, not yet added.
   *
   * @param customer the customer's number
   * @param ours our WhatsApp sender number
   * @return the participant
   */
  public static Participant whatsApp(String customer, String ours) {
    return new Participant("", Channel.WHATSAPP, customer, ours);
  }

  /**
   * Returns a chat participant, not yet added.
   *
   * @param identity the chat identity
   * @return the participant
   */
  public static Participant chat(String identity) {
    return new Participant("", Channel.CHAT, identity, null);
  }

  /**
   * Returns the same participant with the provider's id.
   *
   * @param newId the id
   * @return a new participant
   */
  public Participant withId(String newId) {
    return new Participant(newId, channel, address, proxyAddress);
  }
}
