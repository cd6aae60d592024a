package dev.switchboard.core.agent;

/** Who said something. */
public enum Speaker {
  /** The caller or customer. */
  USER,
  /** The AI agent. */
  AGENT
}
