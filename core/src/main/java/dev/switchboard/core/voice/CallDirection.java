package dev.switchboard.core.voice;

/** Who placed the call. */
public enum CallDirection {
  /** The caller dialled one of our numbers. */
  INBOUND,
  /** We placed the call. */
  OUTBOUND
}
