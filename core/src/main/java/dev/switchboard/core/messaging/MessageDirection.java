package dev.switchboard.core.messaging;

/** Which way a message went. */
public enum MessageDirection {
  /** From a customer to us. */
  INBOUND,
  /** From us (or the agent) to a customer. */
  OUTBOUND
}
