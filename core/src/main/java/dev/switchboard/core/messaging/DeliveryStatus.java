package dev.switchboard.core.messaging;

/**
 * Where a message is on its way, following the provider's values (Twilio's message statuses).
 * Statuses move forward only: {@link #canMoveTo} rejects late, out-of-order updates.
 */
public enum DeliveryStatus {
  /** Accepted, waiting to be sent. */
  QUEUED(0),
  /** Being sent. */
  SENDING(1),
  /** Handed to the carrier or WhatsApp. */
  SENT(2),
  /** Delivered to the device. */
  DELIVERED(3),
  /** Read by the recipient (WhatsApp). */
  READ(4),
  /** Could not be delivered. Terminal. */
  UNDELIVERED(5),
  /** Could not be sent. Terminal. */
  FAILED(5),
  /** An inbound message, received. Terminal. */
  RECEIVED(5);

  private final int rank;

  DeliveryStatus(int rank) {
    this.rank = rank;
  }

  /**
   * Tells whether the message's journey has ended.
   *
   * @return true for READ, UNDELIVERED, FAILED and RECEIVED
   */
  public boolean isTerminal() {
    return rank >= 4;
  }

  /**
   * Tells whether a message in this status may move to {@code next}.
   *
   * @param next the reported status
   * @return true if {@code next} is later
   */
  public boolean canMoveTo(DeliveryStatus next) {
    return rank < 5 && next.rank > rank;
  }
}
