package dev.switchboard.core.agent;

/** What an {@link AgentRuntime} can do; a session is opened in one of these modes. */
public enum Capability {
  /**
   * Bidirectional audio: the session takes the caller's audio and streams the agent's (OpenAI
   * Realtime, Ultravox serverWebSocket).
   */
  AUDIO_STREAMING,
  /** Turn-based text: for messaging, and for voice where the telephony provider does speech. */
  TEXT,
  /**
   * The agent service terminates the call's media itself: the session gives a join URL the
   * telephony backend streams to (Ultravox's Twilio medium), and audio never passes through us.
   */
  TELEPHONY_DIRECT
}
