package dev.switchboard.core.voice;

/**
 * Where a call is, following the telephony provider's values (Twilio's call statuses). States only
 * move forward: {@link #canMoveTo} tells whether a reported state is newer, so late or out-of-order
 * status callbacks never move a call backwards.
 */
public enum CallState {
  /** Accepted by the provider, waiting to be dialled. */
  QUEUED(0),
  /** Dialling has started. */
  INITIATED(1),
  /** The far end is ringing. */
  RINGING(2),
  /** Answered and connected. */
  IN_PROGRESS(3),
  /** Ended after being answered (or hung up by either side). Terminal. */
  COMPLETED(4),
  /** The far end was busy. Terminal. */
  BUSY(4),
  /** The far end did not answer. Terminal. */
  NO_ANSWER(4),
  /** Cancelled before it was answered. Terminal. */
  CANCELED(4),
  /** Could not be placed (bad number, carrier error). Terminal. */
  FAILED(4);

  private final int rank;

  CallState(int rank) {
    this.rank = rank;
  }

  /**
   * Tells whether the call has ended.
   *
   * @return true for COMPLETED, BUSY, NO_ANSWER, CANCELED and FAILED
   */
  public boolean isTerminal() {
    return rank == 4;
  }

  /**
   * Tells whether a call in this state may move to {@code next}: only forward, never out of a
   * terminal state.
   *
   * @param next the reported state
   * @return true if {@code next} is later than this state
   */
  public boolean canMoveTo(CallState next) {
    return !isTerminal() && next.rank > rank;
  }
}
